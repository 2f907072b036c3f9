import type { Capability } from '../../../shared/capabilities.ts';
import type { Device } from '../../../shared/devices.ts';
import type { LogSource } from '../../../shared/logs.ts';
import type { AgentToConsoleChannel } from '../../../shared/protocol/channel.ts';
import type { ConsoleToServer } from '../../../shared/protocol/console.ts';
import type { SignalData } from '../../../shared/protocol/signal.ts';
import type { SessionView } from '../../../shared/protocol/views.ts';
import { verifySignedText } from '../../../shared/identity.ts';
import { sdpFingerprints, sdpProofPayload } from '../../../shared/sdp-proof.ts';
import { createLogger } from '../../lib/log.ts';
import { knownAgentKey } from './agent-keys.ts';
import {
  CapabilityRequests,
  type AskCapabilities,
  type CapabilityAnswer,
} from './capability-requests.svelte.ts';
import {
  SessionConnection,
  type ConnectionState,
  type ConnectionTiming,
  type ConnectMessage,
  type PathFigures,
} from './connection.ts';
import type { StatsReport } from './connection-path.ts';
import { DesktopController } from './desktop/desktop-controller.svelte.ts';
import { LogFeed } from './log-feed.ts';

const log = createLogger('session');

/** Lines of backlog asked for when the data channel opens. */
const BACKLOG_LINES = 500;

/** Signals that may arrive before the attempt they belong to; more is not a real peer. */
const MAX_EARLY_SIGNALS = 100;

/**
 * One session as the technician sees it: the server's view of it, the connection to
 * the agent (WebRTC, or the encrypted relay), what arrives on its channels, and the
 * agent's screen as a media stream. The server owns the session state; this class only
 * mirrors it and closes the connection when it ends.
 */
export class SessionController {
  view = $state() as SessionView;
  connection = $state<ConnectionState>('idle');
  /** The path in use, its round trip and bitrate. */
  figures = $state<PathFigures>({ path: null, roundTripMs: null, bitsPerSecond: null });
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
  readonly #timing: Partial<ConnectionTiming>;
  #connection: SessionConnection | null = null;
  #earlySignals: { attempt: number; data: SignalData; proof?: string }[] = [];
  readonly #agentKey: () => string | null;

  /**
   * `send` delivers a message to the server; `ask` sends a capability.request and waits
   * for the server's acknowledgement. `timing` tunes the connectivity ladder (tests).
   */
  constructor(
    view: SessionView,
    send: (message: ConsoleToServer) => void,
    ask: AskCapabilities,
    timing: Partial<ConnectionTiming> = {},
    agentKey: () => string | null = () => null,
  ) {
    this.view = view;
    this.#agentKey = agentKey;
    this.granted = view.granted;
    this.#send = send;
    this.#timing = timing;
    this.access = new CapabilityRequests(ask);
    this.desktop = new DesktopController(
      {
        send: (message) => this.#connection?.send(message),
        sendInput: (message) => this.#connection?.sendInput(message),
      },
      () => ({ connected: this.connection === 'connected', granted: this.granted }),
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
      this.#closeConnection();
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

  /** The statistics of the path in use, for the screen's overlay; null without one. */
  async stats(): Promise<StatsReport[] | null> {
    return (await this.#connection?.stats()) ?? null;
  }

  /**
   * The server's session.connect: the facility approved (attempt 0), or a new attempt to
   * rebuild or upgrade the path. The first one starts the connection.
   */
  connect(message: ConnectMessage): void {
    if (this.ended) {
      log.debug('session.connect ignored', { sessionId: this.id, ended: this.ended });
      return;
    }

    this.#connection ??= new SessionConnection(
      this.id,
      {
        send: (out) => this.#send(out),
        state: (state) => (this.connection = state),
        opened: () => this.#opened(),
        message: (received) => this.#onChannelMessage(received),
        stream: (stream) => (this.stream = stream),
        inputReply: (reply) => this.desktop.onReply(reply),
        figures: (figures) => (this.figures = figures),
        warning: (detail) => (this.notice = detail),
      },
      this.#timing,
      undefined,
      (attempt, data, proof) => this.#checkDescription(attempt, data, proof),
    );
    this.#connection.connect(message);

    const early = this.#earlySignals;
    this.#earlySignals = [];
    for (const held of early) this.signal(held.attempt, held.data, held.proof);
  }

  /** Signalling data from the agent, relayed by the server, for one attempt. */
  signal(attempt: number, data: SignalData, proof?: string): void {
    if (this.ended) return;

    const current = this.#connection?.attempt ?? null;
    if (current === attempt && this.#connection?.signal(attempt, data, proof)) return;
    // The agent may answer before this console has the attempt's session.connect.
    if ((current === null || attempt > current) && this.#earlySignals.length < MAX_EARLY_SIGNALS) {
      this.#earlySignals.push({ attempt, data, ...(proof ? { proof } : {}) });
    }
  }

  /**
   * Whether a description from the agent carries the agent's signature over its DTLS
   * fingerprints, by the key this browser knows for the agent: null if so, else why not.
   */
  async #checkDescription(
    attempt: number,
    data: { type: string; sdp?: string },
    proof: string | undefined,
  ): Promise<string | null> {
    const known = knownAgentKey(this.view.agentId, this.#agentKey());
    if ('problem' in known) return known.problem;
    if (!proof) return 'The facility agent did not sign its connection details; they were refused.';

    const fingerprints = sdpFingerprints(data.sdp ?? '');
    const payload = sdpProofPayload(this.id, attempt, data.type, fingerprints);
    if (await verifySignedText(known.key, payload, proof)) return null;
    return (
      "The connection details were not signed by the facility agent's enrolled key, so they " +
      'were refused. Someone between this console and the facility may have altered them.'
    );
  }

  /** The technician ends the session. The server confirms with a session.update. */
  end(): void {
    if (this.ended || this.ending) return;

    this.ending = true;
    this.desktop.stop();
    this.#send({ type: 'session.end', sessionId: this.id });
  }

  /** Forgets the session in this tab: closes the connection and stops every timer. */
  dispose(): void {
    this.#closeConnection();
  }

  /**
   * A path carries the session: ask for the log stream (resuming after the last line
   * this tab holds, so a drop loses nothing) and bring the desktop up to date.
   */
  #opened(): void {
    const after = this.feed.ring.lastSeq;
    this.#connection?.send({
      type: 'logs.subscribe',
      backlog: BACKLOG_LINES,
      ...(after >= 0 ? { after } : {}),
    });
    this.desktop.reconnected();
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
      case 'logs.missed':
        this.notice =
          `${message.count} log ${message.count === 1 ? 'line' : 'lines'} from while the ` +
          'connection was down had already left the agent’s buffer and are missing here.';
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

  #closeConnection(): void {
    this.#connection?.destroy();
    this.#connection = null;
    this.stream = null;
    this.desktop.disconnected();
    this.#earlySignals = [];
  }
}

function sameSet(a: readonly Capability[], b: readonly Capability[]): boolean {
  return a.length === b.length && a.every((capability) => b.includes(capability));
}
