import type { Capability } from '../../../../shared/capabilities.ts';
import type {
  DesktopRequest,
  DesktopStatus,
  Display,
  InputMessage,
  InputReply,
} from '../../../../shared/protocol/desktop.ts';
import { createLogger } from '../../../lib/log.ts';

const log = createLogger('desktop');

/** How the desktop reaches the agent: the main channel and the input channel. */
export interface DesktopPort {
  send(message: DesktopRequest): void;
  sendInput(message: InputMessage): void;
}

/** What the desktop needs to know about its session, read fresh each time. */
export interface DesktopContext {
  connected: boolean;
  granted: readonly Capability[];
}

/**
 * The session's remote desktop as the console sees it: the agent's latest status, whether
 * the technician is looking (the Screen tab is open), the chosen display, and what came
 * back on the input channel. Capture at the facility runs only while someone views, so
 * this sends desktop.view exactly when the Screen tab is open on a connected session that
 * may view, and desktop.stop as soon as any of that stops being true.
 */
export class DesktopController {
  status = $state.raw<DesktopStatus | null>(null);
  displayId = $state<string | null>(null);
  /** The remote clipboard's text, after the technician asked for it. */
  clipboardText = $state<string | null>(null);
  /** Why the agent refused input, shown until dismissed. */
  refused = $state<string | null>(null);

  readonly #port: DesktopPort;
  readonly #context: () => DesktopContext;
  #open = false;
  #viewing = false;

  constructor(port: DesktopPort, context: () => DesktopContext) {
    this.#port = port;
    this.#context = context;
  }

  get displays(): Display[] {
    return this.status?.displays ?? [];
  }

  get mayView(): boolean {
    return this.#context().granted.includes('screen.view');
  }

  get controlGranted(): boolean {
    return this.#context().granted.includes('screen.control');
  }

  /** Input is sent only when staff granted control and the agent says it takes it. */
  get inputAllowed(): boolean {
    return this.controlGranted && this.status?.control === true;
  }

  /** The display the agent shows, for sizing the picture 1:1. */
  get display(): Display | null {
    return this.displays.find((display) => display.id === this.displayId) ?? null;
  }

  onStatus(status: DesktopStatus): void {
    if (status.state !== this.status?.state)
      log.info(`desktop ${this.status?.state ?? 'unknown'} -> ${status.state}`);

    this.status = status;
    const known = status.displays.some((display) => display.id === this.displayId);
    if (status.displayId !== null) this.displayId = status.displayId;
    else if (!known) this.displayId = primaryOf(status.displays)?.id ?? null;
    this.sync();
  }

  onReply(reply: InputReply): void {
    if (reply.type === 'clipboard.text') this.clipboardText = reply.text;
    else this.refused = reply.reason;
  }

  /** The Screen tab was opened (true) or left (false). */
  show(open: boolean): void {
    this.#open = open;
    this.sync();
  }

  selectDisplay(displayId: string): void {
    if (displayId === this.displayId) return;

    this.displayId = displayId;
    if (this.#viewing) this.#port.send({ type: 'desktop.view', displayId });
  }

  /** Sends one input message, or nothing while control is not allowed. */
  input(message: InputMessage): void {
    if (this.inputAllowed) this.#port.sendInput(message);
  }

  /**
   * Brings the agent in line with what the technician looks at. Called whenever the
   * status, the granted set, the connection or the open tab changes.
   */
  sync(): void {
    const { connected } = this.#context();
    const want =
      this.#open &&
      connected &&
      this.mayView &&
      this.status !== null &&
      this.status.state !== 'unavailable';
    if (want === this.#viewing) return;

    this.#viewing = want;
    if (want) this.#port.send({ type: 'desktop.view', displayId: this.displayId });
    else if (connected) this.#port.send({ type: 'desktop.stop' });
  }

  /** The session is ending: stop the picture while the channel still carries it. */
  stop(): void {
    this.#open = false;
    this.sync();
  }

  /**
   * A new path carries the session (after a drop, or a move between WebRTC and the
   * relay): the agent serves this path afresh, so ask again for what the tab shows.
   */
  reconnected(): void {
    this.#viewing = false;
    this.sync();
  }

  /** The connection is gone; nothing is being shown any more. */
  disconnected(): void {
    this.#viewing = false;
    this.clipboardText = null;
  }
}

function primaryOf(displays: Display[]): Display | undefined {
  return displays.find((display) => display.primary) ?? displays[0];
}
