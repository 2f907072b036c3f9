import type { Capability } from '../../../shared/capabilities.ts';
import type { Device } from '../../../shared/devices.ts';
import type { LogSource } from '../../../shared/logs.ts';
import type { AgentToConsoleChannel } from '../../../shared/protocol/channel.ts';
import type { ConsoleToServer } from '../../../shared/protocol/console.ts';
import type { IceServer, SignalData } from '../../../shared/protocol/signal.ts';
import type { SessionView } from '../../../shared/protocol/views.ts';
import { createLogger } from '../../lib/log.ts';
import type { ConnectionPath } from './connection-path.ts';
import { LogFeed } from './log-feed.ts';
import { PeerLink } from './peer-link.ts';

const log = createLogger('session');

/** Lines of backlog asked for when the data channel opens. */
const BACKLOG_LINES = 500;

/**
 * How long a lost peer waits for the server to report the end before the console ends
 * the session as failed itself. When the facility ends a session its peer closes at
 * the same moment, and that end must win over a needless 'failed'.
 */
const LOST_GRACE_MS = 3_000;

/** Signals that may arrive before the peer exists; more than this is not a real peer. */
const MAX_EARLY_SIGNALS = 100;

/** Where the console's WebRTC peer for this session stands. */
export type PeerPhase = 'waiting' | 'connecting' | 'connected' | 'lost' | 'closed';

/**
 * One session as the technician sees it: the server's view of it, the WebRTC peer to
 * the agent, and what arrives on the data channel. The server owns the session state;
 * this class only mirrors it and closes the peer when it ends.
 */
export class SessionController {
  view = $state() as SessionView;
  peer = $state<PeerPhase>('waiting');
  roundTripMs = $state<number | null>(null);
  path = $state<ConnectionPath | null>(null);
  granted = $state<Capability[]>([]);
  devices = $state<Device[]>([]);
  sources = $state<LogSource[]>([]);
  /** The latest problem reported by the server or agent for this session, in words. */
  notice = $state<string | null>(null);
  ending = $state(false);
  readonly feed = new LogFeed();

  readonly #send: (message: ConsoleToServer) => void;
  #link: PeerLink | null = null;
  #earlySignals: SignalData[] = [];
  #lostTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(view: SessionView, send: (message: ConsoleToServer) => void) {
    this.view = view;
    this.#send = send;
  }

  get id(): string {
    return this.view.id;
  }

  get ended(): boolean {
    return this.view.state === 'ended';
  }

  /** Takes the server's latest view; an ended session closes the peer. */
  update(view: SessionView): void {
    if (view.id !== this.id) return;

    if (view.state !== this.view.state)
      log.info(`session ${view.id} ${this.view.state} -> ${view.state}`);
    this.view = view;
    if (this.ended) this.#closePeer();
  }

  /** The server says the facility approved: start the peer as the initiator. */
  connect(iceServers: IceServer[]): void {
    if (this.ended || this.#link) {
      log.debug('session.connect ignored', { sessionId: this.id, ended: this.ended });
      return;
    }

    this.peer = 'connecting';
    this.#link = new PeerLink(iceServers, {
      signal: (data) => this.#send({ type: 'signal', sessionId: this.id, data }),
      connected: () => {
        this.peer = 'connected';
        this.#link?.send({ type: 'logs.subscribe', backlog: BACKLOG_LINES });
      },
      message: (message) => this.#onChannelMessage(message),
      roundTrip: (ms) => (this.roundTripMs = ms),
      path: (path) => (this.path = path),
      lost: (detail) => this.#onLost(detail),
    });

    const early = this.#earlySignals;
    this.#earlySignals = [];
    for (const data of early) this.#link.signal(data);
  }

  /** Signalling data from the agent, relayed by the server. */
  signal(data: SignalData): void {
    if (this.ended) return;

    if (this.#link) this.#link.signal(data);
    else if (this.#earlySignals.length < MAX_EARLY_SIGNALS) this.#earlySignals.push(data);
  }

  /** The technician ends the session. The server confirms with a session.update. */
  end(): void {
    if (this.ended || this.ending) return;

    this.ending = true;
    this.#send({ type: 'session.end', sessionId: this.id });
  }

  /** Forgets the session in this tab: closes the peer and stops every timer. */
  dispose(): void {
    this.#closePeer();
  }

  #onChannelMessage(message: AgentToConsoleChannel): void {
    switch (message.type) {
      case 'hello':
        this.granted = message.granted;
        this.devices = message.devices;
        this.sources = message.sources;
        break;
      case 'logs.lines':
        this.feed.push(message.lines);
        break;
      case 'logs.sources':
        this.sources = message.sources;
        break;
      case 'devices':
        this.devices = message.devices;
        break;
      case 'error':
        this.notice = message.message;
        break;
      default:
        // ping and pong are answered inside the peer link.
        break;
    }
  }

  #onLost(detail: string): void {
    this.#link = null;
    if (this.ended) return;

    this.peer = 'lost';
    this.#lostTimer = setTimeout(() => {
      if (this.ended) return;

      log.warn('peer lost; ending the session as failed', { sessionId: this.id });
      this.#send({ type: 'session.end', sessionId: this.id, reason: 'failed', detail });
    }, LOST_GRACE_MS);
  }

  #closePeer(): void {
    if (this.#lostTimer) clearTimeout(this.#lostTimer);
    this.#lostTimer = null;
    this.#link?.destroy();
    this.#link = null;
    this.#earlySignals = [];
    if (this.peer !== 'waiting') this.peer = 'closed';
  }
}
