import type {
  AgentToConsoleChannel,
  ConsoleToAgentChannel,
} from '../../../shared/protocol/channel.ts';
import type { ConsoleToServer, ServerToConsole } from '../../../shared/protocol/console.ts';
import type { InputMessage, InputReply } from '../../../shared/protocol/desktop.ts';
import type { SignalData } from '../../../shared/protocol/signal.ts';
import { createLogger } from '../../lib/log.ts';
import type { ConnectionPath, StatsReport } from './connection-path.ts';
import type { LinkEvents, LinkMakers, PathLink, PeerPathLink } from './link.ts';
import { PeerLink } from './peer-link.ts';
import { RelayLink } from './relay-link.ts';

const log = createLogger('connection');

export type ConnectMessage = Extract<ServerToConsole, { type: 'session.connect' }>;

/**
 * idle: not approved yet; connecting: looking for the first path; connected: a path
 * carries the session; reconnecting: the path broke and a new one is being built;
 * closed: destroyed.
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** What the connection tells its session. */
export interface ConnectionEvents {
  /** To the server: the peer's signals and the requests for a new attempt. */
  send(message: ConsoleToServer): void;
  state(state: ConnectionState, detail: string | null): void;
  /** A path now carries the session (the first one, or a new one after a change). */
  opened(): void;
  message(message: AgentToConsoleChannel): void;
  /** The screen stream of the path in use, or null when there is none. */
  stream(stream: MediaStream | null): void;
  inputReply(reply: InputReply): void;
  /** Path, round trip and bitrate of the path in use, for the header. */
  figures(figures: PathFigures): void;
  /** Something the technician should know that did not end the session, in words. */
  warning(detail: string): void;
}

/**
 * Checks a session description from the agent before the peer may use it: null when it
 * holds, otherwise why it was refused. See shared/sdp-proof.ts.
 */
export type DescriptionCheck = (
  attempt: number,
  data: Extract<SignalData, { sdp?: string }>,
  proof: string | undefined,
) => Promise<string | null>;

export interface PathFigures {
  path: ConnectionPath | null;
  roundTripMs: number | null;
  bitsPerSecond: number | null;
}

/** Timing of the ladder; the server's session.connect sets `relayAfterMs`. */
export interface ConnectionTiming {
  /** Wait this long without a path before opening the relay as well. */
  relayAfterMs: number;
  /** First wait before a lost session asks for a new attempt again; doubles up to 15 s. */
  retryMs: number;
  /** First wait, on the relay, before trying WebRTC again; doubles up to 5 minutes. */
  upgradeMs: number;
  /** How often the ladder looks at where it stands. */
  tickMs: number;
}

export const DEFAULT_TIMING: ConnectionTiming = {
  relayAfterMs: 3_000,
  retryMs: 2_000,
  upgradeMs: 30_000,
  tickMs: 500,
};

const MAX_RETRY_MS = 15_000;
const MAX_UPGRADE_MS = 5 * 60_000;
/** Messages kept from a path before it is taken; a greeting and a first batch fit. */
const MAX_HELD_MESSAGES = 200;

type Rung = 'peer' | 'relay';

const REAL_LINKS: LinkMakers = {
  peer: (iceServers, policy, events) => new PeerLink(iceServers, policy, events),
  relay: (sessionId, events) => new RelayLink(sessionId, events),
};

/**
 * A session's connectivity ladder in the console: the WebRTC peer of the server's
 * current attempt first; the end-to-end encrypted relay when no path came up within
 * `relayAfterMs` (or at once when the server forbids WebRTC); back to WebRTC when a later
 * attempt connects, which the console asks for from time to time while on the relay.
 * When the path in use breaks, the session is reconnecting: the console asks the server
 * for new attempts, with backoff, and opens the relay again, until a path is back or the
 * server ends the session at the end of its grace. Only the path in use delivers
 * messages and takes what is sent. One state, changed by one method.
 */
export class SessionConnection {
  readonly #sessionId: string;
  readonly #events: ConnectionEvents;
  readonly #timing: ConnectionTiming;
  #state: ConnectionState = 'idle';
  #webrtc = true;
  readonly #makers: LinkMakers;
  readonly #check: DescriptionCheck | null;
  /** The agent's signals in arrival order; a description waits for its check. */
  #signals: Promise<void> = Promise.resolve();
  #peer: { attempt: number; link: PeerPathLink; startedAt: number } | null = null;
  #relay: PathLink | null = null;
  #inUse: Rung | null = null;
  #streams: Partial<Record<Rung, MediaStream>> = {};
  /**
   * Messages from a path that is up but not in use yet. The agent greets as soon as its
   * end opens, which can be before this end reports the path connected; the greeting
   * must not be lost, so it waits here until the path is taken (or dropped with it).
   */
  #held: Record<Rung, AgentToConsoleChannel[]> = { peer: [], relay: [] };
  /** Since when no path carries the session (set at connect and at each loss). */
  #waitingSince = 0;
  #relayRefusedAt = -Infinity;
  #lastRetryAt = -Infinity;
  #retryMs: number;
  #upgradeAt = 0;
  #upgradeMs: number;
  #figures: PathFigures = { path: null, roundTripMs: null, bitsPerSecond: null };
  #tick: ReturnType<typeof setInterval> | undefined;

  constructor(
    sessionId: string,
    events: ConnectionEvents,
    timing: Partial<ConnectionTiming> = {},
    makers: LinkMakers = REAL_LINKS,
    check: DescriptionCheck | null = null,
  ) {
    this.#sessionId = sessionId;
    this.#events = events;
    this.#makers = makers;
    this.#check = check;
    this.#timing = { ...DEFAULT_TIMING, ...timing };
    this.#retryMs = this.#timing.retryMs;
    this.#upgradeMs = this.#timing.upgradeMs;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** The server's `session.connect`: a new attempt, and how the ladder is set. */
  connect(message: ConnectMessage): void {
    if (this.#state === 'closed') return;
    if (this.#peer && message.attempt <= this.#peer.attempt) {
      log.debug('session.connect of an earlier attempt ignored', { attempt: message.attempt });
      return;
    }

    this.#webrtc = message.webrtc !== false;
    if (message.relayAfterMs) this.#timing.relayAfterMs = message.relayAfterMs;
    if (this.#state === 'idle') {
      this.#setState('connecting');
      this.#waitingSince = performance.now();
      this.#tick = setInterval(() => this.#step(), this.#timing.tickMs);
    }
    if (this.#webrtc) this.#startPeer(message);
    this.#step();
  }

  /**
   * The agent's signal, relayed by the server, for the attempt it belongs to. A session
   * description is used only once its signature checks out; signals after it wait for
   * that, so they keep their order. A description that fails ends the attempt.
   */
  signal(attempt: number, data: SignalData, proof?: string): boolean {
    const peer = this.#peer;
    if (peer?.attempt !== attempt) return false;

    this.#signals = this.#signals.then(async () => {
      if (this.#check && 'sdp' in data) {
        const problem = await this.#check(attempt, data, proof);
        if (problem) {
          if (this.#peer === peer) this.#refuse(peer.link, problem);
          return;
        }
      }
      if (this.#peer === peer) peer.link.signal(data);
    });
    return true;
  }

  /** The attempt a signal must carry to be taken now, or null before the first connect. */
  get attempt(): number | null {
    return this.#peer?.attempt ?? null;
  }

  send(message: ConsoleToAgentChannel): void {
    this.#link()?.send(message);
  }

  sendInput(message: InputMessage): void {
    this.#link()?.sendInput(message);
  }

  async stats(): Promise<StatsReport[] | null> {
    return (await this.#link()?.stats()) ?? null;
  }

  /** Closes every path and stops the clock. Idempotent. */
  destroy(): void {
    if (this.#state === 'closed') return;

    clearInterval(this.#tick);
    this.#peer?.link.destroy();
    this.#relay?.destroy();
    this.#peer = null;
    this.#relay = null;
    this.#inUse = null;
    this.#setState('closed');
  }

  #link(): PathLink | null {
    if (this.#inUse === 'peer') return this.#peer?.link ?? null;
    if (this.#inUse === 'relay') return this.#relay;
    return null;
  }

  #startPeer(message: ConnectMessage): void {
    const replacing = this.#peer;
    const link: PeerPathLink = this.#makers.peer(
      message.iceServers,
      message.iceTransportPolicy ?? 'all',
      {
        ...this.#linkEvents('peer', () => this.#peer?.link === link),
        signal: (data) =>
          this.#events.send({
            type: 'signal',
            sessionId: this.#sessionId,
            attempt: message.attempt,
            data,
          }),
      },
    );
    this.#peer = { attempt: message.attempt, link, startedAt: performance.now() };
    this.#held.peer = [];
    log.info('peer attempt started', { attempt: message.attempt });

    if (replacing) {
      replacing.link.destroy();
      if (this.#inUse === 'peer') this.#lost('peer', 'The path was rebuilt.', false);
    }
  }

  #openRelay(): void {
    const relay: PathLink = this.#makers.relay(
      this.#sessionId,
      this.#linkEvents('relay', () => this.#relay === relay),
    );
    this.#relay = relay;
    this.#held.relay = [];
    log.info('opening the encrypted relay');
  }

  /** Events of one path, taken only while it is still the current one of its rung. */
  #linkEvents(rung: Rung, current: () => boolean): LinkEvents {
    const inUse = (): boolean => current() && this.#inUse === rung;
    return {
      connected: () => {
        if (current()) this.#connected(rung);
      },
      message: (message) => {
        if (!current()) return;
        if (this.#inUse === rung) this.#events.message(message);
        else if (this.#held[rung].length < MAX_HELD_MESSAGES) this.#held[rung].push(message);
      },
      roundTrip: (ms) => {
        if (inUse()) this.#setFigures({ roundTripMs: ms });
      },
      bitrate: (bitsPerSecond) => {
        if (inUse()) this.#setFigures({ bitsPerSecond });
      },
      path: (path) => {
        if (inUse()) this.#setFigures({ path });
      },
      stream: (stream) => {
        if (!current()) return;
        this.#streams[rung] = stream;
        if (this.#inUse === rung) this.#events.stream(stream);
      },
      inputReply: (reply) => {
        if (inUse()) this.#events.inputReply(reply);
      },
      lost: (detail) => {
        if (current()) this.#lost(rung, detail, true);
      },
    };
  }

  #connected(rung: Rung): void {
    if (this.#inUse === 'peer') {
      // WebRTC already carries the session; a relay that comes up late is not needed.
      if (rung === 'relay') this.#closeRelay();
      return;
    }
    if (this.#inUse === 'relay' && rung === 'relay') return;

    const from = this.#inUse;
    this.#use(rung);
    if (rung === 'peer') {
      this.#closeRelay();
    } else {
      this.#upgradeMs = this.#timing.upgradeMs;
      this.#upgradeAt = performance.now() + this.#upgradeMs;
    }
    this.#retryMs = this.#timing.retryMs;
    log.info(from ? `path ${from} -> ${rung}` : `path ${rung}`, { sessionId: this.#sessionId });
    this.#setState('connected');
    this.#events.opened();
  }

  #use(rung: Rung): void {
    this.#inUse = rung;
    this.#figures = {
      path: rung === 'relay' ? 'Encrypted relay' : null,
      roundTripMs: null,
      bitsPerSecond: null,
    };
    this.#events.figures(this.#figures);
    this.#events.stream(this.#streams[rung] ?? null);
    const held = this.#held[rung];
    this.#held[rung] = [];
    for (const message of held) this.#events.message(message);
  }

  /**
   * A path closed or failed. If it was the one in use and the other rung is up, the
   * session moves there; with none left it is reconnecting and asks for a new attempt
   * (`ask`: not when the server already sent one).
   */
  #lost(rung: Rung, detail: string, ask: boolean): void {
    if (rung === 'peer') this.#peer = null;
    else {
      this.#relay = null;
      this.#relayRefusedAt = performance.now();
    }
    delete this.#streams[rung];
    this.#held[rung] = [];
    if (this.#inUse !== rung) {
      log.debug('a path not in use ended', { rung, detail });
      return;
    }

    const other: Rung = rung === 'peer' ? 'relay' : 'peer';
    const otherUp = other === 'peer' ? this.#peer?.link.connected : this.#relay?.connected;
    if (otherUp) {
      this.#connected(other);
      return;
    }

    this.#inUse = null;
    this.#events.stream(null);
    this.#waitingSince = performance.now();
    this.#setState('reconnecting', detail);
    if (ask) this.#askForAttempt('lost', detail);
  }

  /** The ladder's clock: what to do while no path, or only the relay, carries the session. */
  #step(): void {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    const now = performance.now();

    if (this.#inUse === null) {
      const waited = now - this.#waitingSince;
      const relayDue = !this.#webrtc || waited >= this.#timing.relayAfterMs;
      if (!this.#relay && relayDue && now - this.#relayRefusedAt >= this.#retryMs) {
        this.#openRelay();
      }
      // Ask again only once the last attempt had its chance to connect.
      const attemptOver = !this.#peer || now - this.#peer.startedAt >= this.#timing.relayAfterMs;
      const retryDue = now - this.#lastRetryAt >= this.#retryMs;
      if (this.#state === 'reconnecting' && this.#webrtc && attemptOver && retryDue) {
        this.#askForAttempt('lost');
        this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
      }
      return;
    }
    if (this.#inUse === 'relay' && this.#webrtc && now >= this.#upgradeAt) {
      this.#askForAttempt('upgrade');
      this.#upgradeMs = Math.min(this.#upgradeMs * 2, MAX_UPGRADE_MS);
      this.#upgradeAt = now + this.#upgradeMs;
    }
  }

  #askForAttempt(mode: 'lost' | 'upgrade', detail?: string): void {
    this.#lastRetryAt = performance.now();
    log.info('asking for a new attempt', { mode });
    this.#events.send({
      type: 'session.retry',
      sessionId: this.#sessionId,
      mode,
      ...(detail ? { detail: detail.slice(0, 500) } : {}),
    });
  }

  /** The agent's description did not check out: that attempt is over, and the user told. */
  #refuse(link: PeerPathLink, problem: string): void {
    log.error('a session description from the agent was refused', { problem });
    link.destroy();
    this.#events.warning(problem);
    this.#lost('peer', problem, false);
  }

  #closeRelay(): void {
    this.#relay?.destroy();
    this.#relay = null;
    delete this.#streams.relay;
    this.#held.relay = [];
  }

  #setFigures(change: Partial<PathFigures>): void {
    this.#figures = { ...this.#figures, ...change };
    this.#events.figures(this.#figures);
  }

  #setState(next: ConnectionState, detail: string | null = null): void {
    const from = this.#state;
    if (from === next) return;
    this.#state = next;
    log.info(`connection ${from} -> ${next}`, { sessionId: this.#sessionId, detail });
    this.#events.state(next, detail);
  }
}
