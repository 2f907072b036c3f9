import { io, type Socket } from 'socket.io-client';
import {
  AgentToConsoleChannel,
  type ConsoleToAgentChannel,
} from '../../../shared/protocol/channel.ts';
import { MESSAGE_EVENT } from '../../../shared/protocol/console.ts';
import { InputReply, type InputMessage } from '../../../shared/protocol/desktop.ts';
import { TetherError } from '../../../shared/errors.ts';
import { asBytes } from '../../../shared/relay/bytes.ts';
import {
  deriveRelayKeys,
  makeEphemeral,
  relayTranscript,
  verifyAgentSignature,
  type Ephemeral,
} from '../../../shared/relay/crypto.ts';
import { RelayEndpoint, relayText } from '../../../shared/relay/endpoint.ts';
import {
  RELAY_CHANNELS,
  RELAY_FRAME_EVENT,
  RELAY_NAMESPACE,
  RELAY_PATH,
  RELAY_TOOK_EVENT,
  RelayOpenAck,
  RelayServerToClient,
  type RelayChannel,
} from '../../../shared/relay/protocol.ts';
import { receive } from '../../lib/inbound.ts';
import { createLogger } from '../../lib/log.ts';
import type { StatsReport } from './connection-path.ts';
import { PictureStream } from './desktop/picture-stream.ts';
import type { LinkEvents, PathLink } from './link.ts';

const log = createLogger('relay');

const PING_INTERVAL_MS = 2_000;
/** No pong for this long means the path is gone, whatever the socket says. */
const SILENCE_LIMIT_MS = 10_000;
const OPEN_TIMEOUT_MS = 10_000;

/**
 * The console's end of a session's encrypted WebSocket relay, the last rung of the
 * ladder: its own socket.io connection to the relay namespace (authenticated by the
 * session cookie), an ephemeral ECDH key, the agent's answer checked against the key the
 * agent enrolled with, and the session's channels on top: main messages, input, and the
 * screen as JPEG pictures drawn into a canvas whose stream the viewer plays like the
 * WebRTC track. The server forwards frames it cannot read. `destroy()` is idempotent and
 * silences every event after it.
 */
export class RelayLink implements PathLink {
  readonly #sessionId: string;
  readonly #events: LinkEvents;
  readonly #socket: Socket;
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #own: Ephemeral | null = null;
  #identityKey: string | null = null;
  #endpoint: RelayEndpoint | null = null;
  #picture: PictureStream | null = null;
  #openTimer: ReturnType<typeof setTimeout> | undefined;
  #lastHeard = 0;
  #bytesIn = 0;
  #rateSample = { bytes: 0, at: 0 };
  #destroyed = false;

  constructor(sessionId: string, events: LinkEvents) {
    this.#sessionId = sessionId;
    this.#events = events;
    this.#socket = io(RELAY_NAMESPACE, {
      path: RELAY_PATH,
      withCredentials: true,
      transports: ['websocket'],
      reconnection: false,
    });
    this.#socket.on('connect', () => void this.#open());
    this.#socket.on('connect_error', (error) =>
      this.#lose(`The relay refused the connection (${error.message}).`),
    );
    this.#socket.on('disconnect', () => this.#lose('The relay connection closed.'));
    this.#socket.on(MESSAGE_EVENT, (raw: unknown) => void this.#onMessage(raw));
    this.#socket.on(RELAY_FRAME_EVENT, (data: unknown) => {
      const bytes = asBytes(data);
      if (bytes) {
        this.#bytesIn += bytes.length;
        this.#endpoint?.receive(bytes);
      }
    });
    this.#socket.on(RELAY_TOOK_EVENT, (count: unknown) => this.#endpoint?.acknowledged(count));
    this.#openTimer = setTimeout(
      () => this.#lose('The facility agent did not join the relay in time.'),
      OPEN_TIMEOUT_MS,
    );
  }

  get connected(): boolean {
    return this.#endpoint !== null && !this.#destroyed;
  }

  send(message: ConsoleToAgentChannel): void {
    if (this.#destroyed || !this.#endpoint) {
      log.debug('relay not open; message dropped', { type: message.type });
      return;
    }
    this.#endpoint.sendText(RELAY_CHANNELS.main, JSON.stringify(message));
  }

  sendInput(message: InputMessage): void {
    if (this.#destroyed || !this.#endpoint) return;
    // A move is replaced by the next one; do not queue them behind a slow relay.
    if (message.type === 'pointer.move' && this.#endpoint.bufferedAmount > 64 * 1024) return;
    this.#endpoint.sendText(RELAY_CHANNELS.input, JSON.stringify(message));
  }

  /**
   * The relay's figures in the shape of RTCPeerConnection.getStats(), so that the screen
   * overlay reads them the same way: pictures as the video's frames, the relay's bytes,
   * and the last round trip.
   */
  async stats(): Promise<StatsReport[] | null> {
    if (this.#destroyed) return null;
    return this.#picture?.stats(this.#bytesIn) ?? [];
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;

    clearTimeout(this.#openTimer);
    for (const timer of this.#timers) clearInterval(timer);
    this.#endpoint?.close();
    this.#picture?.close();
    this.#socket.disconnect();
    log.info('relay closed');
  }

  async #open(): Promise<void> {
    try {
      this.#own = await makeEphemeral();
      const raw: unknown = await this.#socket.timeout(OPEN_TIMEOUT_MS).emitWithAck(MESSAGE_EVENT, {
        type: 'relay.open',
        sessionId: this.#sessionId,
        consoleKey: this.#own.publicKey,
      });
      const ack = RelayOpenAck.safeParse(raw);
      if (!ack.success) throw new TetherError('bad_request', 'The relay answered oddly.');
      if (!ack.data.ok) throw new TetherError(ack.data.code, ack.data.message);
      this.#identityKey = ack.data.identityKey;
      log.info('relay asked for; waiting for the agent');
    } catch (error) {
      this.#lose(error instanceof Error ? error.message : 'The relay could not be opened.');
    }
  }

  async #onMessage(raw: unknown): Promise<void> {
    const message = receive(RelayServerToClient, raw, log);
    if (!message || this.#destroyed) return;

    if (message.type === 'relay.closed') {
      this.#lose(message.message);
      return;
    }
    await this.#accept(message.agentKey, message.signature);
  }

  /** The agent answered: check its signature, derive the keys, start the channels. */
  async #accept(agentKey: string, signature: string): Promise<void> {
    const own = this.#own;
    const identityKey = this.#identityKey;
    if (!own || !identityKey || this.#endpoint) return;

    try {
      const transcript = relayTranscript(this.#sessionId, own.publicKey, agentKey);
      await verifyAgentSignature(identityKey, transcript, signature);
      const keys = await deriveRelayKeys('console', own, agentKey, transcript);
      if (this.#destroyed) return;

      this.#endpoint = new RelayEndpoint({
        keys,
        emit: (frame) => void this.#socket.emit(RELAY_FRAME_EVENT, frame),
        took: (count) => void this.#socket.emit(RELAY_TOOK_EVENT, count),
        deliver: (channel, bytes) => this.#deliver(channel, bytes),
        failed: (error) => this.#lose(error.message),
      });
    } catch (error) {
      this.#lose(error instanceof Error ? error.message : 'The relay handshake failed.');
      return;
    }

    clearTimeout(this.#openTimer);
    this.#picture = new PictureStream();
    this.#events.stream(this.#picture.stream);
    this.#lastHeard = performance.now();
    log.info('relay connected');
    this.#events.connected();
    this.#ping();
    this.#timers.push(setInterval(() => this.#ping(), PING_INTERVAL_MS));
    this.#timers.push(setInterval(() => this.#reportRate(), 2_000));
  }

  #deliver(channel: RelayChannel, bytes: Uint8Array): void {
    if (this.#destroyed) return;

    if (channel === RELAY_CHANNELS.picture) {
      this.#picture?.show(bytes);
      return;
    }
    const text = relayText(bytes);
    if (text === null) return;
    if (channel === RELAY_CHANNELS.input) {
      const reply = receive(InputReply, text, log);
      if (reply) this.#events.inputReply(reply);
      return;
    }

    const message = receive(AgentToConsoleChannel, text, log);
    if (!message) return;
    this.#lastHeard = performance.now();
    if (message.type === 'ping') this.send({ type: 'pong', t: message.t });
    else if (message.type === 'pong') this.#roundTrip(message.t);
    else this.#events.message(message);
  }

  #ping(): void {
    if (performance.now() - this.#lastHeard > SILENCE_LIMIT_MS) {
      this.#lose('The facility agent stopped answering on the relay.');
      return;
    }
    this.send({ type: 'ping', t: performance.now() });
  }

  #roundTrip(sentAt: number): void {
    const ms = Math.max(0, performance.now() - sentAt);
    this.#picture?.setRoundTrip(ms);
    this.#events.roundTrip(ms);
  }

  #reportRate(): void {
    const now = performance.now();
    const last = this.#rateSample;
    if (last.at > 0)
      this.#events.bitrate(((this.#bytesIn - last.bytes) * 8 * 1000) / (now - last.at));
    this.#rateSample = { bytes: this.#bytesIn, at: now };
    this.#events.path('Encrypted relay');
  }

  #lose(detail: string): void {
    if (this.#destroyed) return;

    log.warn('relay lost', { detail });
    this.destroy();
    this.#events.lost(detail);
  }
}
