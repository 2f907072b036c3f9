import { io, type Socket } from 'socket.io-client';
import { TetherError } from '../../shared/errors.ts';
import { proofPayload } from '../../shared/identity.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import { ChallengeResponse, type AgentAuth } from '../../shared/protocol/http.ts';
import { asBytes } from '../../shared/relay/bytes.ts';
import { deriveRelayKeys, makeEphemeral, relayTranscript } from '../../shared/relay/crypto.ts';
import { RelayEndpoint } from '../../shared/relay/endpoint.ts';
import {
  RELAY_FRAME_EVENT,
  RELAY_NAMESPACE,
  RELAY_PATH,
  RELAY_TOOK_EVENT,
  RelayAck,
  RelayServerToClient,
} from '../../shared/relay/protocol.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import { describeError } from '../errors.ts';
import { postJson } from '../http-client.ts';
import type { Identity } from '../identity.ts';
import type { Logger } from '../log.ts';
import { proxySocketOptions } from '../net/proxy.ts';
import { RelaySession, type RelaySessionOptions } from './relay-session.ts';

export interface AgentRelayOptions extends Omit<RelaySessionOptions, 'pipe'> {
  serverUrl: string;
  identity: Identity;
  /** The console's ephemeral key from `relay.open`. */
  consoleKey: string;
  events: {
    /** The relay is up and the session is being served on it. */
    connected(): void;
    /** The relay could not start or broke; `detail` is in words. */
    failed(detail: string): void;
  };
}

/**
 * The agent's end of one session's encrypted relay: its own connection to the relay
 * namespace (proved with a fresh signed challenge, like the `/agent` link), the signed
 * key agreement, and the session served on top. `destroy()` is idempotent and silent.
 */
export class AgentRelay {
  readonly #options: AgentRelayOptions;
  readonly #log: Logger;
  readonly #socket: Socket;
  #endpoint: RelayEndpoint | undefined;
  #session: RelaySession | undefined;
  #granted;
  #closed = false;

  constructor(options: AgentRelayOptions) {
    this.#options = options;
    this.#log = options.log.child({ sessionId: options.sessionId });
    this.#granted = [...options.granted];
    this.#socket = io(`${options.serverUrl}${RELAY_NAMESPACE}`, {
      path: RELAY_PATH,
      autoConnect: false,
      reconnection: false,
      transports: ['websocket'],
      ...proxySocketOptions(options.serverUrl, this.#log),
      auth: (reply) =>
        void this.#prove().then(reply, (error: unknown) =>
          this.#fail(`no challenge from the server (${describeError(error)})`),
        ),
    });
    this.#socket.on('connect', () => void this.#join());
    this.#socket.on('connect_error', (error) => this.#fail(`relay refused: ${error.message}`));
    this.#socket.on('disconnect', () => this.#fail('the relay connection closed'));
    this.#socket.on(MESSAGE_EVENT, (raw: unknown) => this.#onMessage(raw));
    this.#socket.on(RELAY_FRAME_EVENT, (data: unknown) => {
      const bytes = asBytes(data);
      if (bytes) this.#endpoint?.receive(bytes);
    });
    this.#socket.on(RELAY_TOOK_EVENT, (count: unknown) => this.#endpoint?.acknowledged(count));
    this.#socket.connect();
  }

  /** Staff granted or took back capabilities. */
  setGranted(granted: RelaySessionOptions['granted']): void {
    this.#granted = [...granted];
    this.#session?.setGranted(granted);
  }

  /** Closes the relay on purpose; nothing is reported. Idempotent. */
  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#session?.close();
    this.#endpoint?.close();
    this.#socket.disconnect();
  }

  async #prove(): Promise<AgentAuth> {
    const { serverUrl, identity } = this.#options;
    const { challenge } = await postJson(
      `${serverUrl}/api/agents/challenge`,
      { agentId: identity.agentId },
      ChallengeResponse,
    );
    return {
      agentId: identity.agentId,
      challenge,
      signature: identity.sign(proofPayload(identity.agentId, challenge)),
    };
  }

  async #join(): Promise<void> {
    const { sessionId, consoleKey, identity } = this.#options;
    try {
      const own = await makeEphemeral();
      const transcript = relayTranscript(sessionId, consoleKey, own.publicKey);
      const keys = await deriveRelayKeys('agent', own, consoleKey, transcript);
      const endpoint = new RelayEndpoint({
        keys,
        emit: (frame) => void this.#socket.emit(RELAY_FRAME_EVENT, frame),
        took: (count) => void this.#socket.emit(RELAY_TOOK_EVENT, count),
        deliver: (channel, message) => this.#session?.deliver(channel, message),
        failed: (error) => this.#fail(error.message),
      });
      this.#endpoint = endpoint;

      const raw: unknown = await this.#socket.timeout(10_000).emitWithAck(MESSAGE_EVENT, {
        type: 'relay.join',
        sessionId,
        agentKey: own.publicKey,
        signature: identity.sign(transcript),
      });
      const ack = RelayAck.safeParse(raw);
      if (!ack.success) throw new TetherError('bad_request', 'the server answered oddly');
      if (!ack.data.ok) throw new TetherError(ack.data.code, ack.data.message);
      if (this.#closed) return;

      this.#session = new RelaySession({
        ...this.#options,
        granted: this.#granted,
        pipe: endpoint,
      });
      this.#log.info('relay connected');
      this.#options.events.connected();
      this.#session.start();
    } catch (error) {
      this.#fail(`the relay could not start: ${describeError(error)}`);
    }
  }

  #onMessage(raw: unknown): void {
    const parsed = parseMessage(RelayServerToClient, raw);
    if (!parsed.ok) {
      this.#log.warn({ error: parsed.error.message }, 'bad relay message from the server');
      return;
    }
    if (parsed.value.type === 'relay.closed') this.#fail(parsed.value.message);
  }

  #fail(detail: string): void {
    if (this.#closed) return;
    this.destroy();
    this.#log.warn({ detail }, 'relay failed');
    this.#options.events.failed(detail);
  }
}
