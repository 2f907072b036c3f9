import { EventEmitter } from 'node:events';
import wrtc from '@roamhq/wrtc';
import type { Display, DesktopState } from '../../shared/protocol/desktop.ts';
import { Backoff } from '../backoff.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Capture, DesktopBackend, Frame } from './types.ts';

/** How a capture that dies by itself is restarted. */
export interface RestartPolicy {
  /** Restarts in a row before the display is given up as unavailable. */
  attempts: number;
  initialMs: number;
  maxMs: number;
  /** A capture that ran this long counts as healthy again: the count starts over. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART: RestartPolicy = {
  attempts: 3,
  initialMs: 500,
  maxMs: 5000,
  healthyAfterMs: 10_000,
};

export interface DisplayFeedOptions {
  display: Display;
  backend: DesktopBackend;
  log: Logger;
  restart?: RestartPolicy;
}

/**
 * One display's picture: a wrtc video source that every viewing peer takes a track of,
 * and the capture that feeds it while anyone views. The capture is converted once per
 * display; each peer's encoder then suits its own network. A capture that dies is
 * restarted with backoff a few times, then the feed is `unavailable` with the reason
 * until the last viewer leaves.
 */
export class DisplayFeed extends EventEmitter<{ change: [] }> {
  readonly display: Display;
  readonly source = new wrtc.nonstandard.RTCVideoSource({ isScreencast: true });
  readonly #backend: DesktopBackend;
  readonly #log: Logger;
  readonly #restart: RestartPolicy;
  readonly #backoff: Backoff;
  #state: DesktopState = 'stopped';
  #reason: string | null = null;
  #capture: Capture | undefined;
  #startedAt = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #frameErrors = 0;

  constructor(options: DisplayFeedOptions) {
    super();
    this.display = options.display;
    this.#backend = options.backend;
    this.#log = options.log.child({ displayId: options.display.id });
    this.#restart = options.restart ?? DEFAULT_RESTART;
    this.#backoff = new Backoff({
      initialMs: this.#restart.initialMs,
      maxMs: this.#restart.maxMs,
      maxAttempts: this.#restart.attempts,
    });
  }

  get state(): DesktopState {
    return this.#state;
  }

  /** Why the feed is unavailable; null otherwise. */
  get reason(): string | null {
    return this.#reason;
  }

  /** The running capture process, for tests. */
  get capturePid(): number | undefined {
    return this.#capture?.pid;
  }

  /** Starts capturing unless it already runs (or has given up). */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#backoff.reset();
    this.#launch();
  }

  /** Stops the capture and waits for its process to end; back to `stopped`. */
  async stop(): Promise<void> {
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const capture = this.#capture;
    this.#capture = undefined;
    this.#set('stopped', null);
    await capture?.stop();
  }

  #launch(): void {
    this.#set('starting', this.#reason);
    this.#startedAt = Date.now();
    let capture: Capture;
    try {
      capture = this.#backend.startCapture(this.display, (frame) => this.#onFrame(frame));
    } catch (error) {
      this.#onEnded({ expected: false, reason: `Screen capture failed: ${describeError(error)}` });
      return;
    }

    this.#capture = capture;
    this.#log.info({ pid: capture.pid }, 'screen capture started');
    void capture.ended.then((end) => {
      if (this.#capture !== capture) return;
      this.#capture = undefined;
      this.#onEnded(end);
    });
  }

  #onFrame(frame: Frame): void {
    try {
      this.source.onFrame(frame);
    } catch (error) {
      // A wrong-sized frame would repeat 30 times a second: say it once per capture.
      if (this.#frameErrors++ === 0) {
        this.#log.warn({ error: describeError(error) }, 'frame refused by the video source');
      }
      return;
    }
    if (this.#state === 'starting') this.#set('streaming', null);
  }

  #onEnded(end: { expected: boolean; reason: string }): void {
    if (end.expected) return;
    if (Date.now() - this.#startedAt >= this.#restart.healthyAfterMs) this.#backoff.reset();

    const delay = this.#backoff.next();
    if (delay === null) {
      this.#log.warn({ reason: end.reason }, 'screen capture given up');
      this.#set('unavailable', end.reason);
      return;
    }

    this.#log.warn({ reason: end.reason, retryInMs: delay }, 'screen capture died; restarting');
    this.#set('starting', end.reason);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = undefined;
      this.#frameErrors = 0;
      this.#launch();
    }, delay);
  }

  #set(state: DesktopState, reason: string | null): void {
    if (this.#state === state && this.#reason === reason) return;
    const from = this.#state;
    this.#state = state;
    this.#reason = reason;
    if (from !== state) this.#log.debug({ transition: `${from} -> ${state}` }, 'feed state');
    this.emit('change');
  }
}
