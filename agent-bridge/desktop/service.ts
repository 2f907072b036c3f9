import { EventEmitter } from 'node:events';
import { TetherError } from '../../shared/errors.ts';
import type {
  Display,
  DesktopState,
  InputMessage,
  InputReply,
} from '../../shared/protocol/desktop.ts';
import type { Logger } from '../log.ts';
import { DisplayFeed, type RestartPolicy } from './display-feed.ts';
import type { DesktopBackend } from './types.ts';

export interface DesktopServiceOptions {
  backend: DesktopBackend;
  log: Logger;
  restart?: RestartPolicy;
}

/** The desktop as one viewer sees it. */
export interface ViewerState {
  state: DesktopState;
  reason: string | null;
  displayId: string | null;
}

/**
 * The agent's one remote desktop, shared by every session. It holds what the back end's
 * probe found, one video source per display, and who views which display: capture runs
 * while a display has at least one viewer and stops with the last. Emits 'change'
 * whenever a display's state or the set of viewers changes.
 */
export class DesktopService extends EventEmitter<{ change: [] }> {
  readonly #backend: DesktopBackend;
  readonly #log: Logger;
  readonly #restart: RestartPolicy | undefined;
  #probed = false;
  #reason: string | null = 'The screen has not been checked yet.';
  #feeds = new Map<string, DisplayFeed>();
  readonly #viewers = new Map<string, string>();

  constructor(options: DesktopServiceOptions) {
    super();
    this.#backend = options.backend;
    this.#log = options.log;
    this.#restart = options.restart;
  }

  /** Asks the back end what there is; call once before anything else. */
  async probe(): Promise<void> {
    const result = await this.#backend.probe();
    this.#probed = true;
    if (!result.ok) {
      this.#reason = result.reason;
      this.#log.info({ reason: result.reason }, 'remote desktop not available');
      this.emit('change');
      return;
    }

    this.#reason = null;
    for (const display of result.displays) {
      const feed = new DisplayFeed({
        display,
        backend: this.#backend,
        log: this.#log,
        restart: this.#restart,
      });
      feed.on('change', () => this.emit('change'));
      this.#feeds.set(display.id, feed);
    }
    this.#log.info({ displays: result.displays }, 'remote desktop available');
    this.emit('change');
  }

  /** Whether screens can be shown at all on this computer. */
  get available(): boolean {
    return this.#probed && this.#reason === null;
  }

  /** Why the desktop is not available, for the technician; null when it is. */
  get reason(): string | null {
    return this.#reason;
  }

  get displays(): Display[] {
    return [...this.#feeds.values()].map((f) => f.display);
  }

  /** The display shown when a console asks for none in particular. */
  primary(): Display | undefined {
    return this.displays.find((d) => d.primary) ?? this.displays[0];
  }

  /** A fresh track of one display's picture, for one peer; the peer stops it when done. */
  track(displayId: string): MediaStreamTrack {
    return this.#feed(displayId).source.createTrack();
  }

  /**
   * `viewerId` (a session) now views `displayId` (null: the primary display). Starts the
   * capture for its first viewer; leaves any other display the viewer was on.
   */
  async attach(viewerId: string, displayId: string | null): Promise<Display> {
    const id = displayId ?? this.primary()?.id;
    if (!id) throw new TetherError('invalid_state', this.#reason ?? 'There is no display.');
    const feed = this.#feed(id);

    const previous = this.#viewers.get(viewerId);
    this.#viewers.set(viewerId, id);
    feed.start();
    if (previous === id) return feed.display;

    this.#log.info({ viewerId, displayId: id }, 'viewer attached');
    this.emit('change');
    if (previous) await this.#release(previous);

    return feed.display;
  }

  /** `viewerId` stops viewing; the capture stops with the display's last viewer. */
  async detach(viewerId: string): Promise<void> {
    const displayId = this.#viewers.get(viewerId);
    if (!displayId) return;

    this.#viewers.delete(viewerId);
    this.#log.info({ viewerId, displayId }, 'viewer detached');
    this.emit('change');
    await this.#release(displayId);
  }

  /** The display `viewerId` views, or null. */
  viewing(viewerId: string): string | null {
    return this.#viewers.get(viewerId) ?? null;
  }

  /** The desktop as `viewerId` sees it. */
  viewerState(viewerId: string): ViewerState {
    if (!this.available) return { state: 'unavailable', reason: this.#reason, displayId: null };

    const displayId = this.viewing(viewerId);
    const feed = displayId ? this.#feeds.get(displayId) : undefined;
    if (!feed) return { state: 'stopped', reason: null, displayId: null };

    return { state: feed.state, reason: feed.reason, displayId };
  }

  /** The running capture process of a display, for tests. */
  capturePid(displayId: string): number | undefined {
    return this.#feeds.get(displayId)?.capturePid;
  }

  /**
   * Applies one input message on `displayId` (null: the primary display). Answers
   * clipboard.get with the clipboard's text; everything else with null.
   */
  async input(message: InputMessage, displayId: string | null): Promise<InputReply | null> {
    if (!this.available) throw new TetherError('invalid_state', this.#reason ?? 'No desktop.');

    switch (message.type) {
      case 'clipboard.get':
        return { type: 'clipboard.text', text: await this.#backend.readClipboard() };
      case 'clipboard.set':
        await this.#backend.writeClipboard(message.text);
        return null;
      default: {
        const display = displayId ? this.#feed(displayId).display : this.primary();
        if (display) await this.#backend.input(message, display);
        return null;
      }
    }
  }

  /** Stops every capture and the back end's helpers. */
  async close(): Promise<void> {
    this.#viewers.clear();
    await Promise.all([...this.#feeds.values()].map((f) => f.stop()));
    await this.#backend.close();
  }

  async #release(displayId: string): Promise<void> {
    const stillViewed = [...this.#viewers.values()].includes(displayId);
    if (!stillViewed) await this.#feeds.get(displayId)?.stop();
  }

  #feed(displayId: string): DisplayFeed {
    const feed = this.#feeds.get(displayId);
    if (!feed) throw new TetherError('not_found', `There is no display "${displayId}".`);
    return feed;
  }
}
