import type { Capability } from '../../../shared/capabilities.ts';
import type { Device } from '../../../shared/devices.ts';
import type { LogSource } from '../../../shared/logs.ts';
import type { AgentToConsoleChannel } from '../../../shared/protocol/channel.ts';
import type { ConsoleToServer } from '../../../shared/protocol/console.ts';
import type { IceServer, IceTransportPolicy, SignalData } from '../../../shared/protocol/signal.ts';
import type { SessionView } from '../../../shared/protocol/views.ts';
import { createLogger } from '../../lib/log.ts';
import {
  CapabilityRequests,
  type AskCapabilities,
  type CapabilityAnswer,
} from './capability-requests.svelte.ts';
import type { ConnectionPath, StatsReport } from './connection-path.ts';
import { DesktopController } from './desktop/desktop-controller.svelte.ts';
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
 * the agent, what arrives on the data channels, and the agent's screen as a media
 * stream. The server owns the session state; this class only mirrors it and closes the
 * peer when it ends.
 */
export class SessionController {
  view = $state() as SessionView;
  peer = $state<PeerPhase>('waiting');
  roundTripMs = $state<number | null>(null);
  path = $state<ConnectionPath | null>(null);
  /** What the session may do now, as the agent last said (or the server, whichever is newer). */
  granted = $state<Capability[]>([]);
  devices = $state<Device[]>([]);
  sources = $state<LogSource[]>([]);
  /** The latest problem reported by the server or agent for this session, in words. */
  notice = $state<string | null>(null);
  ending = $state(false);
  /** The agent's screen; its frames flow only while the Screen tab is open. */
  stream = $state.raw<MediaStream | null>(null);
  readonly feed = new LogFeed();
  readonly desktop: DesktopController;
  readonly access: CapabilityRequests;

  readonly #send: (message: ConsoleToServer) => void;
  #link: PeerLink | null = null;
  #earlySignals: SignalData[] = [];
  #lostTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `send` delivers a message to the server; `ask` sends a capability.request and waits
   * for the server's acknowledgement.
   */
  constructor(view: SessionView, send: (message: ConsoleToServer) => void, ask: AskCapabilities) {
    this.view = view;
    this.granted = view.granted;
    this.#send = send;
    this.access = new CapabilityRequests(ask);
    this.desktop = new DesktopController(
      {
        send: (message) => this.#link?.send(message),
        sendInput: (message) => this.#link?.sendInput(message),
      },
      () => ({ connected: this.peer === 'connected', granted: this.granted }),
    );
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
    const grantChanged = !sameSet(view.granted, this.view.granted);
    this.view = view;
    if (this.ended) {
      this.#closePeer();
      this.access.clear();
      return;
    }
    if (grantChanged) this.#setGranted(view.granted);
  }

  /** Asks the facility for more access; staff answer on their consent page. */
  requestCapabilities(capabilities: Capability[]): Promise<void> {
    if (this.ended) return Promise.resolve();

    return this.access.request(capabilities);
  }

  /** The facility's answer to a capability request, relayed by the server. */
  capabilityAnswer(answer: CapabilityAnswer): void {
    this.access.answer(answer);
  }

  /** The connection's statistics, for the screen's overlay; null without a peer. */
  async stats(): Promise<StatsReport[] | null> {
    return (await this.#link?.stats()) ?? null;
  }

  /**
   * The server says the facility approved: start the peer as the initiator, with the
   * session's ICE servers and transport policy ('relay': TURN only).
   */
  connect(iceServers: IceServer[], iceTransportPolicy: IceTransportPolicy = 'all'): void {
    if (this.ended || this.#link) {
      log.debug('session.connect ignored', { sessionId: this.id, ended: this.ended });
      return;
    }

    this.peer = 'connecting';
    this.#link = new PeerLink(iceServers, iceTransportPolicy, {
      signal: (data) => this.#send({ type: 'signal', sessionId: this.id, data }),
      connected: () => {
        this.peer = 'connected';
        this.#link?.send({ type: 'logs.subscribe', backlog: BACKLOG_LINES });
        this.desktop.sync();
      },
      message: (message) => this.#onChannelMessage(message),
      roundTrip: (ms) => (this.roundTripMs = ms),
      path: (path) => (this.path = path),
      stream: (stream) => (this.stream = stream),
      inputReply: (reply) => this.desktop.onReply(reply),
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
    this.desktop.stop();
    this.#send({ type: 'session.end', sessionId: this.id });
  }

  /** Forgets the session in this tab: closes the peer and stops every timer. */
  dispose(): void {
    this.#closePeer();
  }

  #onChannelMessage(message: AgentToConsoleChannel): void {
    switch (message.type) {
      case 'hello':
        this.#setGranted(message.granted);
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
      case 'granted':
        this.#setGranted(message.granted);
        break;
      case 'desktop.status':
        this.desktop.onStatus(message);
        break;
      case 'error':
        this.notice = message.message;
        break;
      default:
        // ping and pong are answered inside the peer link.
        break;
    }
  }

  #setGranted(granted: Capability[]): void {
    if (sameSet(granted, this.granted)) return;

    log.info('granted changed', { sessionId: this.id, granted });
    this.granted = granted;
    this.desktop.sync();
  }

  #onLost(detail: string): void {
    this.#link = null;
    this.stream = null;
    this.desktop.disconnected();
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
    this.stream = null;
    this.desktop.disconnected();
    this.#earlySignals = [];
    if (this.peer !== 'waiting') this.peer = 'closed';
  }
}

function sameSet(a: readonly Capability[], b: readonly Capability[]): boolean {
  return a.length === b.length && a.every((capability) => b.includes(capability));
}
