import SimplePeer from 'simple-peer';
import {
  AgentToConsoleChannel,
  SESSION_CHANNEL_LABEL,
  type ConsoleToAgentChannel,
} from '../../../shared/protocol/channel.ts';
import { INPUT_CHANNEL_LABEL, type InputMessage } from '../../../shared/protocol/desktop.ts';
import {
  SignalData,
  type IceServer,
  type IceTransportPolicy,
} from '../../../shared/protocol/signal.ts';
import { receive } from '../../lib/inbound.ts';
import { createLogger } from '../../lib/log.ts';
import { pathFromStats, type StatsReport } from './connection-path.ts';
import { InputChannel } from './desktop/input-channel.ts';
import type { PeerLinkEvents, PeerPathLink } from './link.ts';

const log = createLogger('peer');

const PING_INTERVAL_MS = 2_000;
const STATS_INTERVAL_MS = 2_000;
/**
 * No answer on the data channel for this long means the path is gone, even while ICE
 * still counts it as connected (it waits about 30 s before it calls a silent path failed).
 */
const SILENCE_LIMIT_MS = 10_000;

type WithStats = { getStats(cb: (error: Error | null, reports: StatsReport[]) => void): void };
/** simple-peer keeps its RTCPeerConnection in this field; it has no public accessor. */
type WithConnection = { _pc: RTCPeerConnection };

/**
 * The console's end of a session's WebRTC connection to the agent: a simple-peer
 * initiator with the main data channel and the ordered input channel; the agent adds
 * the screen's video track, which arrives as a stream. It measures the round trip with ping/pong every two
 * seconds and answers the agent's pings. `destroy()` is idempotent and silences every
 * event after it.
 */
export class PeerLink implements PeerPathLink {
  readonly #peer: SimplePeer.Instance;
  readonly #events: PeerLinkEvents;
  readonly #input: InputChannel;
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #lastHeard = 0;
  #received: { bytes: number; at: number } | null = null;
  #destroyed = false;

  constructor(
    iceServers: IceServer[],
    iceTransportPolicy: IceTransportPolicy,
    events: PeerLinkEvents,
  ) {
    this.#events = events;
    this.#peer = new SimplePeer({
      initiator: true,
      trickle: true,
      channelName: SESSION_CHANNEL_LABEL,
      // Passed explicitly: simple-peer would otherwise try public STUN hosts, which a
      // closed hospital network cannot reach and which only delay the connection.
      config: { iceServers: iceServers as RTCIceServer[], iceTransportPolicy },
    });
    // Created in the same tick as the peer, so the first offer already carries it and no
    // renegotiation is needed for input. Ordered, so a click never overtakes its move.
    const channel = this.#connection.createDataChannel(INPUT_CHANNEL_LABEL, { ordered: true });
    this.#input = new InputChannel(channel, (reply) => {
      if (!this.#destroyed) this.#events.inputReply(reply);
    });

    this.#peer.on('signal', (data) => this.#onSignal(data));
    this.#peer.on('connect', () => this.#onConnect());
    this.#peer.on('data', (chunk: unknown) => this.#onData(chunk));
    this.#peer.on('stream', (stream: MediaStream) => {
      if (this.#destroyed) return;

      log.info('screen stream arrived', { tracks: stream.getTracks().length });
      this.#preferLowDelay();
      this.#events.stream(stream);
    });
    this.#peer.on('error', (error: Error & { code?: string }) => {
      log.warn('peer error', { code: error.code, message: error.message });
      this.#lose(`The connection to the facility agent failed (${error.code ?? 'error'}).`);
    });
    this.#peer.on('close', () => this.#lose('The connection to the facility agent closed.'));
  }

  /**
   * A remote screen is driven by hand, so the picture should show as soon as it decodes:
   * ask the browser to keep no extra jitter buffer for it. Browsers without the setting
   * simply keep their default.
   */
  #preferLowDelay(): void {
    const pc = (this.#peer as unknown as { _pc?: RTCPeerConnection })._pc;
    for (const receiver of pc?.getReceivers() ?? []) {
      if (receiver.track.kind !== 'video') continue;
      (receiver as RTCRtpReceiver & { jitterBufferTarget?: number | null }).jitterBufferTarget = 0;
    }
  }

  /** Feeds signalling data from the agent to the peer. */
  signal(data: SignalData): void {
    if (this.#destroyed) return;

    // Our schema is a checked subset of what simple-peer accepts.
    this.#peer.signal(data as SimplePeer.SignalData);
  }

  get connected(): boolean {
    return !this.#destroyed && this.#peer.connected;
  }

  /** Sends one message on the data channel; dropped (with a debug line) when not open. */
  send(message: ConsoleToAgentChannel): void {
    if (this.#destroyed || !this.#peer.connected) {
      log.debug('not connected; message dropped', { type: message.type });
      return;
    }

    try {
      this.#peer.send(JSON.stringify(message));
    } catch (error) {
      log.warn('send failed', { message: String(error) });
    }
  }

  /** Sends one message on the input channel; dropped when it is not open. */
  sendInput(message: InputMessage): void {
    if (!this.#destroyed) this.#input.send(message);
  }

  /** The browser's statistics for the whole connection, or null once it is closed. */
  async stats(): Promise<StatsReport[] | null> {
    if (this.#destroyed) return null;

    try {
      const report = await this.#connection.getStats();
      return [...report.values()] as StatsReport[];
    } catch {
      return null;
    }
  }

  get #connection(): RTCPeerConnection {
    return (this.#peer as unknown as WithConnection)._pc;
  }

  /** Closes the connection and stops the timers. Safe to call any number of times. */
  destroy(): void {
    if (this.#destroyed) return;

    this.#destroyed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#input.close();
    this.#peer.destroy();
    log.info('peer destroyed');
  }

  #onSignal(data: unknown): void {
    if (this.#destroyed) return;

    const checked = SignalData.safeParse(data);
    if (!checked.success) {
      log.warn('peer produced signalling data outside the schema; dropped');
      return;
    }
    this.#events.signal(checked.data);
  }

  #onConnect(): void {
    if (this.#destroyed) return;

    log.info('peer connected');
    this.#lastHeard = performance.now();
    this.#events.connected();
    this.#ping();
    this.#timers.push(setInterval(() => this.#ping(), PING_INTERVAL_MS));
    this.#readStats();
    this.#timers.push(setInterval(() => this.#readStats(), STATS_INTERVAL_MS));
  }

  #onData(chunk: unknown): void {
    if (this.#destroyed) return;

    const message = receive(AgentToConsoleChannel, String(chunk), log);
    if (!message) return;
    this.#lastHeard = performance.now();

    if (message.type === 'ping') {
      this.send({ type: 'pong', t: message.t });
    } else if (message.type === 'pong') {
      this.#events.roundTrip(Math.max(0, performance.now() - message.t));
    } else {
      this.#events.message(message);
    }
  }

  #ping(): void {
    if (performance.now() - this.#lastHeard > SILENCE_LIMIT_MS) {
      this.#lose('The facility agent stopped answering on the WebRTC path.');
      return;
    }
    this.send({ type: 'ping', t: performance.now() });
  }

  /**
   * Reads the selected candidate pair to tell a direct path from a TURN relay, and the
   * transport's received bytes for the bitrate.
   */
  #readStats(): void {
    (this.#peer as unknown as WithStats).getStats((error, reports) => {
      if (error || this.#destroyed) return;

      const path = pathFromStats(reports);
      if (path) this.#events.path(path);
      const bytes = reports
        .filter((r) => r.type === 'transport')
        .reduce((sum, r) => sum + (typeof r.bytesReceived === 'number' ? r.bytesReceived : 0), 0);
      const now = performance.now();
      const last = this.#received;
      if (last && now > last.at)
        this.#events.bitrate(((bytes - last.bytes) * 8 * 1000) / (now - last.at));
      this.#received = { bytes, at: now };
    });
  }

  #lose(detail: string): void {
    if (this.#destroyed) return;

    this.destroy();
    this.#events.lost(detail);
  }
}
