import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';
import type { Device } from '../shared/devices.ts';
import { proofPayload } from '../shared/identity.ts';
import { AGENT_NAMESPACE, ServerToAgent, type AgentToServer } from '../shared/protocol/agent.ts';
import { parseMessage } from '../shared/protocol/common.ts';
import { MESSAGE_EVENT } from '../shared/protocol/console.ts';
import { ChallengeResponse, type AgentAuth } from '../shared/protocol/http.ts';
import { Backoff } from './backoff.ts';
import { describeError } from './errors.ts';
import { postJson } from './http-client.ts';
import type { Identity } from './identity.ts';
import type { Logger } from './log.ts';
import { proxySocketOptions } from './net/proxy.ts';

/**
 * connecting: an attempt is in flight; online: proven and connected; offline: not
 * connected, waiting to retry (or closed for good).
 */
export type LinkState = 'connecting' | 'online' | 'offline';

interface LinkEvents {
  state: [LinkState];
  message: [ServerToAgent];
  /** The server refused this agent's key proof (it may not know the agent any more). */
  refused: [];
  /** The server could not prove its own key: it may not be the server this agent enrolled with. */
  untrusted: [];
}

export interface ServerLinkOptions {
  serverUrl: string;
  identity: Identity;
  log: Logger;
  /** The devices to report on every connect. */
  inventory: () => Device[];
  backoff?: Backoff;
  /**
   * Whether the server's hello proves it is the server this agent enrolled with: its
   * signature over this connection's nonce, by the pinned key. A server that cannot prove
   * it is dropped before anything it says is acted on.
   */
  trustServer?: (hello: Hello, nonce: string) => Promise<boolean>;
}

type Hello = Extract<ServerToAgent, { type: 'hello' }>;

const KNOWN_TYPES = new Set<string>(ServerToAgent.options.map((o) => o.shape.type.value));

/**
 * The agent's one connection out to the signaling server, on the `/agent` namespace.
 * Every attempt proves the agent's key by signing a fresh challenge (fetched in the
 * socket.io `auth` callback, so reconnections never reuse one). Retries follow a
 * Backoff and never give up. Inbound messages are validated before anyone sees them.
 */
export class ServerLink extends EventEmitter<LinkEvents> {
  readonly #options: ServerLinkOptions;
  readonly #log: Logger;
  readonly #backoff: Backoff;
  readonly #socket: Socket;
  #state: LinkState = 'offline';
  #retryTimer: NodeJS.Timeout | undefined;
  #closed = false;
  /** This connection's nonce, sent in the handshake for the server to sign. */
  #nonce = '';
  /** Whether this connection's server proved itself; until then nothing it says counts. */
  #trusted = false;

  constructor(options: ServerLinkOptions) {
    super();
    this.#options = options;
    this.#log = options.log;
    this.#backoff = options.backoff ?? new Backoff({ initialMs: 500, maxMs: 30_000 });
    this.#socket = io(`${options.serverUrl}${AGENT_NAMESPACE}`, {
      autoConnect: false,
      // Retries are ours: socket.io does not retry a handshake its middleware refused.
      reconnection: false,
      transports: ['websocket'],
      ...proxySocketOptions(options.serverUrl, this.#log),
      auth: (reply) => void this.#prove().then(reply, (error) => this.#proofFailed(error)),
    });

    this.#socket.on('connect', () => this.#onConnect());
    this.#socket.on('disconnect', (reason) => this.#onDisconnect(reason));
    this.#socket.on('connect_error', (error) => this.#onConnectError(error));
    this.#socket.on(MESSAGE_EVENT, (raw: unknown) => this.#onMessage(raw));
  }

  get state(): LinkState {
    return this.#state;
  }

  get online(): boolean {
    return this.#state === 'online';
  }

  start(): void {
    this.#attempt();
  }

  /** Sends a message to the server; returns false (and drops it) while not online. */
  send(message: AgentToServer): boolean {
    if (!this.#socket.connected || !this.#trusted) {
      this.#log.warn({ type: message.type }, 'not connected to the server; message dropped');
      return false;
    }
    this.#log.debug({ type: message.type }, 'message to server');
    this.#socket.emit(MESSAGE_EVENT, message);

    return true;
  }

  /** Disconnects for good. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#socket.disconnect();
    this.#setState('offline');
  }

  async #prove(): Promise<AgentAuth> {
    const { serverUrl, identity } = this.#options;
    const { challenge } = await postJson(
      `${serverUrl}/api/agents/challenge`,
      { agentId: identity.agentId },
      ChallengeResponse,
    );

    this.#nonce = randomBytes(32).toString('base64');
    this.#trusted = false;
    return {
      agentId: identity.agentId,
      challenge,
      signature: identity.sign(proofPayload(identity.agentId, challenge)),
      serverNonce: this.#nonce,
    };
  }

  #proofFailed(error: unknown): void {
    this.#log.warn({ error: describeError(error) }, 'could not get a challenge from the server');
    // Without a proof the handshake cannot go on: drop this attempt and try again later.
    this.#socket.disconnect();
    this.#retry();
  }

  #attempt(): void {
    if (this.#closed) return;
    this.#setState('connecting');
    this.#socket.connect();
  }

  #retry(): void {
    this.#setState('offline');
    if (this.#closed || this.#retryTimer) return;

    const delay = this.#backoff.next();
    if (delay === null) {
      this.#log.error('giving up on the server connection');
      return;
    }
    this.#log.debug({ retryInMs: delay }, 'reconnecting later');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#attempt();
    }, delay);
  }

  /** Connected and proven; the link is online once the server has proved itself too. */
  #onConnect(): void {
    this.#log.debug('connected; waiting for the server to prove itself');
  }

  #onDisconnect(reason: string): void {
    this.#log.debug({ reason }, 'disconnected from server');
    if (reason === 'io client disconnect') {
      this.#setState('offline');
      return;
    }
    this.#retry();
  }

  #onConnectError(error: Error & { data?: unknown }): void {
    const data = error.data && typeof error.data === 'object' ? error.data : undefined;
    this.#log.warn({ error: error.message, data }, 'server connection refused or unreachable');
    if (error.message === 'proof_invalid') this.emit('refused');
    this.#retry();
  }

  #onMessage(raw: unknown): void {
    const parsed = parseMessage(ServerToAgent, raw);
    if (parsed.ok) {
      const message = parsed.value;
      this.#log.debug({ type: message.type }, 'message from server');
      if (message.type === 'hello') {
        void this.#checkServer(message);
        return;
      }
      if (this.#trusted) this.emit('message', message);
      else
        this.#log.warn({ type: message.type }, 'message before the server proved itself dropped');
      return;
    }

    const type = typeof raw === 'object' && raw && 'type' in raw ? String(raw.type) : undefined;
    if (type !== undefined && !KNOWN_TYPES.has(type)) {
      this.#log.debug({ type }, 'unknown message type from server dropped');
      return;
    }
    // The agent namespace has no error message towards the server, so this is only logged.
    this.#log.warn({ code: parsed.error.code, error: parsed.error.message }, 'bad server message');
  }

  /** The hello must carry the server's proof; only then is it, and what follows, taken. */
  async #checkServer(hello: Hello): Promise<void> {
    const nonce = this.#nonce;
    const trusted = this.#options.trustServer
      ? await this.#options.trustServer(hello, nonce)
      : true;
    if (nonce !== this.#nonce || !this.#socket.connected) return;

    if (!trusted) {
      this.#log.error(
        'the server did not prove it is the server this agent enrolled with (its signature ' +
          'does not verify against the pinned key); disconnected, retrying later',
      );
      this.emit('untrusted');
      this.#socket.disconnect();
      this.#retry();
      return;
    }
    this.#trusted = true;
    this.#backoff.reset();
    this.#setState('online');
    this.send({ type: 'agent.inventory', devices: this.#options.inventory() });
    this.emit('message', hello);
  }

  /** The one place the link state changes; logs `from -> to` once per change. */
  #setState(next: LinkState): void {
    const from = this.#state;
    if (from === next) return;
    this.#state = next;

    const fields = { transition: `${from} -> ${next}`, agentId: this.#options.identity.agentId };
    const wasOrIsOnline = from === 'online' || next === 'online';
    this.#log[wasOrIsOnline ? 'info' : 'debug'](fields, `agent ${next}`);
    this.emit('state', next);
  }
}
