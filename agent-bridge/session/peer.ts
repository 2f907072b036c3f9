import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import type { Capability } from '../../shared/capabilities.ts';
import type { AgentToConsoleChannel } from '../../shared/protocol/channel.ts';
import { INPUT_CHANNEL_LABEL } from '../../shared/protocol/desktop.ts';
import {
  SignalData,
  type IceServer,
  type IceTransportPolicy,
} from '../../shared/protocol/signal.ts';
import type { DesktopService } from '../desktop/service.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import { SessionDesktop } from './desktop-link.ts';
import { MainChannel } from './main-channel.ts';

/** How the peer reports to whoever owns the session. */
export interface PeerEvents {
  /** Signalling data for the console, to be sent through the server. */
  signal(data: SignalData): void;
  /** The data channel is open. */
  connected(): void;
  /** The connection failed or closed without anyone ending the session. */
  failed(detail: string): void;
}

export interface SessionPeerOptions {
  sessionId: string;
  granted: readonly Capability[];
  iceServers: IceServer[];
  /** 'relay' uses TURN candidates only; default 'all'. */
  iceTransportPolicy?: IceTransportPolicy;
  hub: LogHub;
  devices: DeviceRegistry;
  /** Most backlog lines sent, whatever the console asks for. */
  backlogLimit: number;
  /**
   * The agent's remote desktop, and whether local policy allows screen.view at all.
   * Without it the session has logs only.
   */
  desktop?: { service: DesktopService; allowed: boolean };
  log: Logger;
  events: PeerEvents;
  /** Give up when the channel is not open this long after the peer was made. */
  connectTimeoutMs?: number;
  /** Wait this long after the channel closes before calling it a failure. */
  closeGraceMs?: number;
}

const MAX_EARLY_MESSAGES = 16;

/** new: waiting for the data channel; connected: serving; closed: destroyed or failed. */
type PeerState = 'new' | 'connected' | 'closed';

/**
 * The agent's end of one session's WebRTC connection to a console: a simple-peer that
 * answers the console's offer, carrying the session's data channel. It serves the log
 * stream when `logs.read` was granted, and tells the console when devices or log
 * sources change. With a desktop it also sends the screen's video track from the start
 * (simple-peer asks the console for a transceiver; frames flow only while the session
 * views) and takes the console's second, ordered 'input' channel. `destroy()` closes
 * everything and is safe to call more than once.
 */
export class SessionPeer {
  readonly #options: SessionPeerOptions;
  readonly #log: Logger;
  readonly #peer: SimplePeer.Instance;
  readonly #main: MainChannel;
  readonly #desktop: SessionDesktop | undefined;
  #state: PeerState = 'new';
  #connectTimer: NodeJS.Timeout | undefined;
  #closeTimer: NodeJS.Timeout | undefined;
  /**
   * The console's first messages can arrive before simple-peer reports 'connect' on this
   * side (the channel opens before ICE is declared connected). They wait here and are
   * handled right after the hello, so a subscription's backlog is not sent into a peer
   * that still counts as unconnected and silently lost.
   */
  #early: string[] = [];

  constructor(options: SessionPeerOptions) {
    this.#options = options;
    this.#log = options.log.child({ sessionId: options.sessionId });
    this.#desktop = options.desktop
      ? new SessionDesktop({
          sessionId: options.sessionId,
          service: options.desktop.service,
          allowed: options.desktop.allowed,
          granted: () => this.#main.granted,
          send: (message) => this.#send(message),
          log: this.#log,
        })
      : undefined;
    const stream = this.#desktop?.stream;
    this.#peer = new SimplePeer({
      initiator: false,
      wrtc,
      trickle: true,
      // Explicit, even when empty: the library's default reaches for public STUN hosts.
      config: {
        iceServers: options.iceServers,
        iceTransportPolicy: options.iceTransportPolicy ?? 'all',
      },
      streams: stream ? [stream] : [],
    });
    this.#routeInputChannel();
    this.#desktop?.useReplaceTrack((old, next, owner) => this.#peer.replaceTrack(old, next, owner));
    this.#main = new MainChannel({
      ...options,
      desktop: this.#desktop,
      log: this.#log,
      sink: {
        send: (message) => this.#send(message),
        bufferedAmount: () => this.#peer.bufferSize,
      },
    });

    this.#peer.on('signal', (data) => this.#onSignal(data));
    this.#peer.on('connect', () => this.#onConnect());
    this.#peer.on('data', (data: unknown) => this.#onData(String(data)));
    this.#peer.on('error', (error: Error & { code?: string }) => this.#onError(error));
    this.#peer.on('close', () => this.#onClose('connection closed'));
    this.#connectTimer = setTimeout(
      () => this.#fail('no connection to the console within the time limit'),
      options.connectTimeoutMs ?? 30_000,
    );
  }

  get state(): PeerState {
    return this.#state;
  }

  /** Whether the data channel is open and serving. */
  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** Hands signalling data from the console to the connection. */
  signal(data: SignalData): void {
    if (this.#state === 'closed') return;
    try {
      this.#peer.signal(data as SimplePeer.SignalData);
    } catch (error) {
      this.#fail(`bad signalling data: ${describeError(error)}`);
    }
  }

  /**
   * Staff granted or took back capabilities: tell the console, and stop at once what the
   * session may no longer do.
   */
  setGranted(granted: readonly Capability[]): void {
    if (this.#state !== 'closed') this.#main.setGranted(granted);
  }

  /** Closes the connection on purpose; no failure is reported. Idempotent. */
  destroy(): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#teardown();
  }

  #onSignal(data: unknown): void {
    const parsed = SignalData.safeParse(data);
    if (!parsed.success) {
      this.#log.warn({ type: typeof data }, 'local signalling data not sendable; dropped');
      return;
    }
    this.#options.events.signal(parsed.data);
  }

  #onConnect(): void {
    if (this.#state !== 'new') return;
    clearTimeout(this.#connectTimer);
    this.#setState('connected');

    this.#options.events.connected();
    this.#main.start();

    const early = this.#early;
    this.#early = [];
    for (const raw of early) this.#onData(raw);
  }

  #onData(raw: string): void {
    if (this.#state === 'new') {
      if (this.#early.length < MAX_EARLY_MESSAGES) this.#early.push(raw);
      return;
    }
    this.#main.handle(raw);
  }

  /**
   * simple-peer takes every incoming data channel as its own and would swap its main
   * channel for the console's 'input' channel. That one goes to the desktop instead;
   * every other channel still reaches simple-peer's own handler.
   */
  #routeInputChannel(): void {
    const pc = (this.#peer as unknown as { _pc: RTCPeerConnection })._pc;
    const simplePeers = pc.ondatachannel;
    pc.ondatachannel = (event) => {
      if (event.channel.label !== INPUT_CHANNEL_LABEL) {
        simplePeers?.call(pc, event);
        return;
      }
      if (this.#desktop && this.#state !== 'closed') this.#desktop.acceptInput(event.channel);
      else event.channel.close();
    };
  }

  #onError(error: Error & { code?: string }): void {
    this.#log.debug({ code: error.code, error: error.message }, 'peer error');
    this.#onClose(error.code ? `${error.message} (${error.code})` : error.message);
  }

  /**
   * The console closing its side looks the same as a broken path. The grace period lets
   * the server's session.ended (after the technician pressed End) arrive first, so that
   * an ordinary end is not reported as a failure.
   */
  #onClose(detail: string): void {
    if (this.#state === 'closed' || this.#closeTimer) return;
    this.#main.close();
    this.#closeTimer = setTimeout(() => this.#fail(detail), this.#options.closeGraceMs ?? 1500);
  }

  #fail(detail: string): void {
    if (this.#state === 'closed') return;
    this.#setState('closed');
    this.#teardown();
    this.#log.warn({ detail }, 'peer connection failed');
    this.#options.events.failed(detail);
  }

  #teardown(): void {
    clearTimeout(this.#connectTimer);
    clearTimeout(this.#closeTimer);
    this.#main.close();
    this.#desktop?.close();
    this.#peer.destroy();
  }

  #send(message: AgentToConsoleChannel): void {
    if (this.#state !== 'connected' || !this.#peer.connected) return;
    try {
      this.#peer.send(JSON.stringify(message));
    } catch (error) {
      this.#log.debug({ error: describeError(error) }, 'channel send failed');
    }
  }

  #setState(next: PeerState): void {
    const from = this.#state;
    if (from === next) return;
    this.#state = next;
    this.#log.info({ transition: `${from} -> ${next}` }, `peer ${next}`);
  }
}
