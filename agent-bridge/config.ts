import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { UserError } from './errors.ts';

/** Everything the agent reads from its environment, checked and resolved to absolute paths. */
export interface AgentConfig {
  /**
   * `TETHER_SERVER_URL`: the signaling server the agent connects out to, http or https.
   * Default `http://localhost:8080`. A trailing slash is dropped.
   */
  serverUrl: string;
  /**
   * `TETHER_AGENT_DATA_DIR`: where the identity key and enrolment record live. Default
   * `./data/agent`, relative to the working directory. Created with mode 0700.
   */
  dataDir: string;
  /** `TETHER_AGENT_NAME`: the name technicians see for this agent. Default the host name. */
  name: string;
  /**
   * `TETHER_ENROLMENT_TOKEN`: the one-time token an administrator made for this facility.
   * Read only on the first start, while the agent is not yet enrolled.
   */
  enrolmentToken: string | undefined;
  /**
   * `TETHER_POLICY`: path of the local policy, JSON or YAML by its extension (see
   * policy.example.yaml). Default `<dataDir>/policy.json`; when that file is missing the
   * agent writes one with the defaults.
   */
  policyPath: string;
  /**
   * `TETHER_CONSENT_PORT`: loopback port of the consent page. Default 5920; 0 picks a free
   * port (the real one is logged with 'consent page listening').
   */
  consentPort: number;
  /**
   * `TETHER_DROPBOX_DIR`: folder whose files are followed as log sources. Default
   * `<dataDir>/../dropbox`; created when missing.
   */
  dropboxDir: string;
  /** `TETHER_SIMULATE_DEVICES`: `1` runs the simulated Demo Facility devices. */
  simulateDevices: boolean;
  /**
   * `TETHER_SIMULATE_INSTALL_FAILURE`: comma-separated simulated device IDs whose installs
   * fail their post-install self-test and roll back, to demonstrate and test rollback.
   */
  simulateInstallFailure: string[];
  /** `TETHER_STATIC_DIR`: the built web app (consent.html, assets/). Default `<repo>/dist`. */
  staticDir: string;
  /** `LOG_LEVEL`: pino level, default `info`. */
  logLevel: string;
  /**
   * `TETHER_SERVICE_REPORT_SECONDS`: seconds between scheduled service reports (device
   * health and events for the fleet dashboard). Default 60; changes are reported sooner.
   */
  serviceReportSeconds: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const REPO_ROOT = resolve(import.meta.dirname, '..');

/** Reads the configuration; throws UserError naming the variable when a value is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const dataDir = resolve(nonEmpty(env.TETHER_AGENT_DATA_DIR) ?? './data/agent');

  return {
    serverUrl: serverUrl(nonEmpty(env.TETHER_SERVER_URL) ?? 'http://localhost:8080'),
    dataDir,
    name: agentName(nonEmpty(env.TETHER_AGENT_NAME) ?? hostname()),
    enrolmentToken: nonEmpty(env.TETHER_ENROLMENT_TOKEN),
    policyPath: resolve(nonEmpty(env.TETHER_POLICY) ?? resolve(dataDir, 'policy.json')),
    consentPort: port(nonEmpty(env.TETHER_CONSENT_PORT) ?? '5920'),
    dropboxDir: resolve(nonEmpty(env.TETHER_DROPBOX_DIR) ?? resolve(dirname(dataDir), 'dropbox')),
    simulateDevices: flag(env.TETHER_SIMULATE_DEVICES),
    simulateInstallFailure: (env.TETHER_SIMULATE_INSTALL_FAILURE ?? '')
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean),
    staticDir: resolve(nonEmpty(env.TETHER_STATIC_DIR) ?? resolve(REPO_ROOT, 'dist')),
    logLevel: logLevel(nonEmpty(env.LOG_LEVEL) ?? 'info'),
    serviceReportSeconds: reportSeconds(nonEmpty(env.TETHER_SERVICE_REPORT_SECONDS) ?? '60'),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function serverUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError(
      `TETHER_SERVER_URL "${raw}" is not a URL (expected e.g. http://host:8080).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError(`TETHER_SERVER_URL "${raw}" must start with http:// or https://.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UserError(
      `TETHER_SERVER_URL "${raw}" must not carry credentials, a query or a hash.`,
    );
  }

  return url.href.replace(/\/+$/, '');
}

function agentName(raw: string): string {
  if (raw.length > 120) throw new UserError('TETHER_AGENT_NAME is longer than 120 characters.');
  return raw;
}

function port(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535) {
    throw new UserError(`TETHER_CONSENT_PORT "${raw}" is not a port number (0 to 65535).`);
  }
  return value;
}

function reportSeconds(raw: string): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > 86_400) {
    throw new UserError(
      `TETHER_SERVICE_REPORT_SECONDS "${raw}" is not a whole number of seconds from 1 to 86400.`,
    );
  }
  return value;
}

function flag(raw: string | undefined): boolean {
  return ['1', 'true', 'yes'].includes(raw?.trim().toLowerCase() ?? '');
}

function logLevel(raw: string): string {
  const level = raw.toLowerCase();
  if (!LOG_LEVELS.includes(level)) {
    throw new UserError(`LOG_LEVEL "${raw}" is not one of ${LOG_LEVELS.join(', ')}.`);
  }
  return level;
}
