import { readFileSync } from 'node:fs';
import type { IceTransportPolicy } from '../../shared/protocol/signal.ts';

/** The TURN servers the signaling server hands out, and the secret it shares with them. */
export interface TurnOptions {
  /** `turn:` and `turns:` URLs (RFC 7065), e.g. `turns:turn.example.org:443?transport=tcp`. */
  urls: string[];
  /**
   * The URLs agents use instead, where facilities reach the TURN servers by another route
   * than technicians do: a listener on the facility's side of a VPN, say. Default: `urls`.
   */
  agentUrls?: string[];
  /** coturn's `static-auth-secret`. Never logged, never sent to a peer. */
  secret: string;
  /** How long a session's credential stays valid for new allocations; default one hour. */
  ttlSeconds?: number;
}

/** ICE settings as the server was started with them, checked. */
export interface IceSettings {
  turn?: Required<TurnOptions>;
  iceTransportPolicy: IceTransportPolicy;
}

/** A setting that cannot work; the message names the setting and what to write instead. */
export class IceSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IceSettingsError';
  }
}

export const DEFAULT_TURN_TTL_SECONDS = 3600;
const MIN_TTL_SECONDS = 60;
const MAX_TTL_SECONDS = 86_400;
/** Short secrets can be guessed offline from one captured credential. */
const MIN_SECRET_LENGTH = 16;

const TURN_URL =
  /^(turns?):(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:(\d{1,5}))?(\?transport=(udp|tcp))?$/;

/**
 * Checks the options given to `startSignaling`. `where` names their origin in messages:
 * the environment variables for the real server, the option names otherwise.
 */
export function checkIceSettings(
  turn: TurnOptions | undefined,
  iceTransportPolicy: IceTransportPolicy | undefined,
  where: SettingNames = OPTION_NAMES,
): IceSettings {
  const policy = iceTransportPolicy ?? 'all';
  if (!turn) {
    if (policy === 'relay') {
      throw new IceSettingsError(
        `${where.policy}=relay needs TURN servers: set ${where.urls} and ${where.secret} too.`,
      );
    }
    return { iceTransportPolicy: policy };
  }

  if (turn.urls.length === 0) throw new IceSettingsError(`${where.urls} lists no URL.`);
  for (const url of turn.urls) checkTurnUrl(url, where.urls);
  const agentUrls = turn.agentUrls && turn.agentUrls.length > 0 ? turn.agentUrls : turn.urls;
  for (const url of agentUrls) checkTurnUrl(url, where.agentUrls);
  if (turn.secret.length < MIN_SECRET_LENGTH) {
    throw new IceSettingsError(
      `${where.secret} must be at least ${MIN_SECRET_LENGTH} characters long; ` +
        'use the same long random value as static-auth-secret in turnserver.conf.',
    );
  }
  const ttlSeconds = turn.ttlSeconds ?? DEFAULT_TURN_TTL_SECONDS;
  if (
    !Number.isInteger(ttlSeconds) ||
    ttlSeconds < MIN_TTL_SECONDS ||
    ttlSeconds > MAX_TTL_SECONDS
  ) {
    throw new IceSettingsError(
      `${where.ttl} must be a whole number of seconds from ${MIN_TTL_SECONDS} to ` +
        `${MAX_TTL_SECONDS}, not "${turn.ttlSeconds}".`,
    );
  }

  return {
    turn: { urls: [...turn.urls], agentUrls: [...agentUrls], secret: turn.secret, ttlSeconds },
    iceTransportPolicy: policy,
  };
}

function checkTurnUrl(url: string, setting: string): void {
  const match = TURN_URL.exec(url);
  if (!match) {
    throw new IceSettingsError(
      `${setting}: "${url}" is not a TURN URL; write turn:host:port, ` +
        'turn:host:port?transport=tcp or turns:host:443.',
    );
  }

  const port = match[4] === undefined ? null : Number(match[4]);
  if (port !== null && (port < 1 || port > 65535)) {
    throw new IceSettingsError(`${setting}: "${url}" has no valid port.`);
  }
  if (match[1] === 'turns' && match[6] === 'udp') {
    throw new IceSettingsError(
      `${setting}: "${url}" asks for TURN over DTLS, which browsers do not speak; ` +
        'use turns:host:443 (TLS over TCP).',
    );
  }
}

interface SettingNames {
  urls: string;
  agentUrls: string;
  secret: string;
  ttl: string;
  policy: string;
}

const OPTION_NAMES: SettingNames = {
  urls: 'turn.urls',
  agentUrls: 'turn.agentUrls',
  secret: 'turn.secret',
  ttl: 'turn.ttlSeconds',
  policy: 'iceTransportPolicy',
};

const ENV_NAMES: SettingNames = {
  urls: 'TETHER_TURN_URLS',
  agentUrls: 'TETHER_TURN_AGENT_URLS',
  secret: 'TETHER_TURN_SECRET',
  ttl: 'TETHER_TURN_TTL_SECONDS',
  policy: 'TETHER_ICE_TRANSPORT_POLICY',
};

/**
 * Reads the ICE settings of the real server from its environment: TETHER_TURN_URLS
 * (comma-separated), TETHER_TURN_AGENT_URLS (the same, for agents; default the former),
 * TETHER_TURN_SECRET or TETHER_TURN_SECRET_FILE, TETHER_TURN_TTL_SECONDS
 * and TETHER_ICE_TRANSPORT_POLICY (`all` or `relay`). Without TETHER_TURN_URLS there is no
 * TURN rung. Throws IceSettingsError on any value that cannot work.
 */
export function readIceEnv(
  env: NodeJS.ProcessEnv,
  readSecretFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): IceSettings {
  const policyText = env.TETHER_ICE_TRANSPORT_POLICY?.trim() || 'all';
  if (policyText !== 'all' && policyText !== 'relay') {
    throw new IceSettingsError(
      `TETHER_ICE_TRANSPORT_POLICY must be "all" or "relay", not "${policyText}".`,
    );
  }

  const urls = urlList(env.TETHER_TURN_URLS);
  const agentUrls = urlList(env.TETHER_TURN_AGENT_URLS);
  const secretSet = Boolean(env.TETHER_TURN_SECRET || env.TETHER_TURN_SECRET_FILE);
  if (urls.length === 0) {
    if (secretSet) {
      throw new IceSettingsError('A TURN secret is set but TETHER_TURN_URLS is empty.');
    }
    return checkIceSettings(undefined, policyText, ENV_NAMES);
  }

  const ttlText = env.TETHER_TURN_TTL_SECONDS?.trim();
  if (ttlText && !/^\d+$/.test(ttlText)) {
    throw new IceSettingsError(
      `TETHER_TURN_TTL_SECONDS must be a whole number of seconds, not "${ttlText}".`,
    );
  }
  const turn: TurnOptions = {
    urls,
    agentUrls,
    secret: readSecret(env, readSecretFile),
    ttlSeconds: ttlText ? Number(ttlText) : undefined,
  };

  return checkIceSettings(turn, policyText, ENV_NAMES);
}

function urlList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

function readSecret(env: NodeJS.ProcessEnv, readSecretFile: (path: string) => string): string {
  if (env.TETHER_TURN_SECRET && env.TETHER_TURN_SECRET_FILE) {
    throw new IceSettingsError('Set TETHER_TURN_SECRET or TETHER_TURN_SECRET_FILE, not both.');
  }
  if (env.TETHER_TURN_SECRET) return env.TETHER_TURN_SECRET;

  const file = env.TETHER_TURN_SECRET_FILE;
  if (!file) {
    throw new IceSettingsError(
      'TETHER_TURN_URLS is set: also set TETHER_TURN_SECRET_FILE (or TETHER_TURN_SECRET) ' +
        'to the static-auth-secret of those TURN servers.',
    );
  }
  let text: string;
  try {
    text = readSecretFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new IceSettingsError(`TETHER_TURN_SECRET_FILE ${file}: cannot read it (${reason}).`);
  }

  // A trailing newline from an editor or `echo` is not part of the secret.
  return text.trim();
}
