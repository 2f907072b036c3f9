import wrtc from '@roamhq/wrtc';
import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToConsoleChannel } from '../../shared/protocol/channel.ts';
import type { DesktopRequest, DesktopStatus } from '../../shared/protocol/desktop.ts';
import type { DesktopService } from '../desktop/service.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { InputChannel, type InputDataChannel } from './input-channel.ts';

export interface SessionDesktopOptions {
  sessionId: string;
  service: DesktopService;
  /** Whether local policy allows screen.view at all. */
  allowed: boolean;
  granted: () => readonly Capability[];
  /** Sends on the session's main channel. */
  send: (message: AgentToConsoleChannel) => void;
  log: Logger;
}

/** Swaps the track a peer sends, without renegotiating (simple-peer's replaceTrack). */
export type ReplaceTrack = (
  oldTrack: MediaStreamTrack,
  newTrack: MediaStreamTrack,
  stream: MediaStream,
) => void;

export const VIEW_NOT_ALLOWED = "The facility's policy does not allow viewing its screen.";
const VIEW_NOT_GRANTED = 'Viewing the screen was not granted for this session.';

/**
 * One session's share of the remote desktop: the video track its peer sends from the
 * start (frames flow only while the session views), its desktop.view and desktop.stop
 * requests, its desktop.status, and its input channel. Grant changes come in through
 * `grantsChanged()`: losing screen.view stops the view, losing screen.control lets go
 * of held keys. `close()` is idempotent.
 */
export class SessionDesktop {
  readonly #options: SessionDesktopOptions;
  readonly #service: DesktopService;
  readonly #log: Logger;
  readonly #stream: MediaStream | undefined;
  #track: MediaStreamTrack | undefined;
  #trackDisplay: string | undefined;
  #replaceTrack: ReplaceTrack | undefined;
  #input: InputChannel | undefined;
  #lastStatus = '';
  #closed = false;
  readonly #onServiceChange = () => this.sendStatus();

  constructor(options: SessionDesktopOptions) {
    this.#options = options;
    this.#service = options.service;
    this.#log = options.log;

    const primary = this.#service.primary();
    if (options.allowed && this.#service.available && primary) {
      this.#track = this.#service.track(primary.id);
      this.#trackDisplay = primary.id;
      this.#stream = new wrtc.MediaStream([this.#track]);
    }
    this.#service.on('change', this.#onServiceChange);
  }

  /** The stream for the peer to send, or undefined when this session can never view. */
  get stream(): MediaStream | undefined {
    return this.#stream;
  }

  /** How to switch the peer's track when the session moves to another display. */
  useReplaceTrack(replace: ReplaceTrack): void {
    this.#replaceTrack = replace;
  }

  /** Takes the console's 'input' data channel. */
  acceptInput(channel: InputDataChannel): void {
    if (this.#closed || this.#input) {
      channel.close();
      return;
    }
    this.#input = new InputChannel({
      channel,
      mayControl: () => this.#controlAllowed(),
      apply: (message) => this.#service.input(message, this.#service.viewing(this.#sessionId)),
      log: this.#log,
    });
  }

  /** A desktop.view or desktop.stop from the console. */
  async request(message: DesktopRequest): Promise<void> {
    if (message.type === 'desktop.stop') {
      await this.#service.detach(this.#sessionId);
      this.sendStatus(true);
      return;
    }

    if (!this.#options.granted().includes('screen.view')) {
      this.#options.send({
        type: 'error',
        code: 'capability_not_allowed',
        message: VIEW_NOT_GRANTED,
      });
      return;
    }
    if (!this.#stream) {
      this.sendStatus(true);
      return;
    }

    try {
      const display = await this.#service.attach(this.#sessionId, message.displayId);
      if (this.#closed) {
        await this.#service.detach(this.#sessionId);
        return;
      }
      this.#switchTrack(display.id);
    } catch (error) {
      const body =
        error instanceof TetherError
          ? error.toBody()
          : { code: 'internal' as const, message: 'The screen could not be shown.' };
      this.#log.warn({ error: describeError(error) }, 'desktop.view failed');
      this.#options.send({ type: 'error', ...body });
    }
    this.sendStatus(true);
  }

  /** The session's capabilities changed. */
  grantsChanged(): void {
    const granted = this.#options.granted();
    if (!granted.includes('screen.view')) void this.#service.detach(this.#sessionId);
    if (!granted.includes('screen.control')) this.#input?.releaseAll();
    this.sendStatus(true);
  }

  /** Sends desktop.status when it changed since the last one, or always with `force`. */
  sendStatus(force = false): void {
    if (this.#closed) return;
    const status = this.status();
    const text = JSON.stringify(status);
    if (!force && text === this.#lastStatus) return;

    this.#lastStatus = text;
    this.#options.send(status);
  }

  status(): DesktopStatus {
    const control = this.#controlAllowed();
    if (!this.#options.allowed || !this.#service.available) {
      const reason = this.#options.allowed ? this.#service.reason : VIEW_NOT_ALLOWED;
      return {
        type: 'desktop.status',
        state: 'unavailable',
        reason,
        displays: [],
        displayId: null,
        control,
      };
    }

    const viewer = this.#service.viewerState(this.#sessionId);
    return {
      type: 'desktop.status',
      state: viewer.state,
      reason: viewer.reason,
      displays: this.#service.displays,
      displayId: viewer.displayId,
      control,
    };
  }

  /** Leaves the desktop, closes the input channel and stops the track. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#service.off('change', this.#onServiceChange);
    this.#input?.close();
    void this.#service.detach(this.#sessionId);
    this.#track?.stop();
  }

  get #sessionId(): string {
    return this.#options.sessionId;
  }

  #controlAllowed(): boolean {
    return this.#service.available && this.#options.granted().includes('screen.control');
  }

  #switchTrack(displayId: string): void {
    const old = this.#track;
    if (!old || !this.#stream || displayId === this.#trackDisplay || !this.#replaceTrack) return;

    const next = this.#service.track(displayId);
    this.#replaceTrack(old, next, this.#stream);
    old.stop();
    this.#track = next;
    this.#trackDisplay = displayId;
  }
}
