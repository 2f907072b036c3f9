import type { InputMessage } from '../../../../shared/protocol/desktop.ts';
import { contentBox, toDisplayPoint, type DisplayPoint } from './geometry.ts';
import { HeldInput } from './held-input.ts';
import { routeKey } from './keys.ts';
import { WheelAccumulator } from './wheel.ts';

const BUTTONS = ['left', 'middle', 'right'] as const;

export interface RemoteInputOptions {
  /** The focusable screen region: keyboard input is taken while it has focus. */
  region: HTMLElement;
  /** The picture: pointer input is read relative to its content box. */
  video: HTMLVideoElement;
  send(message: InputMessage): void;
  /** Whether input may be sent now (control granted and accepted). */
  enabled(): boolean;
  /** Whether the viewer is in full screen, where Escape belongs to the browser. */
  fullscreen(): boolean;
  /** The technician pressed the keys that move focus off the screen. */
  leave(): void;
}

export interface RemoteInput {
  /** Lets go of every key and button held on the remote computer. */
  release(): void;
  detach(): void;
}

/**
 * Mouse, wheel and keyboard from the screen region to the remote computer. Pointer moves
 * are coalesced to one per animation frame; keys and buttons are remembered while down
 * so that they can be released when focus leaves, and so that a key-up is never sent
 * for a key-down the remote did not get (the Tab that moved focus here, say).
 */
export function attachRemoteInput(options: RemoteInputOptions): RemoteInput {
  const { region, video, send, enabled } = options;
  const held = new HeldInput();
  const wheel = new WheelAccumulator();
  let last: DisplayPoint = { x: 0.5, y: 0.5, inside: false };
  let pendingMove: DisplayPoint | null = null;
  let frame = 0;

  const pointAt = (event: MouseEvent): DisplayPoint => {
    const rect = video.getBoundingClientRect();
    const box = contentBox(rect.width, rect.height, video.videoWidth, video.videoHeight);

    return toDisplayPoint(event.clientX - rect.left, event.clientY - rect.top, box);
  };

  const flushMove = (): void => {
    frame = 0;
    if (!pendingMove || !enabled()) return;

    send({ type: 'pointer.move', x: pendingMove.x, y: pendingMove.y });
    pendingMove = null;
  };

  const release = (): void => {
    cancelAnimationFrame(frame);
    frame = 0;
    pendingMove = null;
    wheel.reset();
    if (held.empty) return;

    // `send` drops them when control was just taken away (the agent then lets go of
    // what it pressed itself); otherwise nothing stays pressed on the remote computer.
    for (const message of held.releaseAll(last.x, last.y)) send(message);
  };

  const onPointerMove = (event: PointerEvent): void => {
    if (!enabled()) return;

    const point = pointAt(event);
    // Off the picture only a drag matters (its button-up must land on the edge).
    if (!point.inside && held.empty) return;

    last = point;
    pendingMove = point;
    if (!frame) frame = requestAnimationFrame(flushMove);
  };

  const onPointerDown = (event: PointerEvent): void => {
    const button = BUTTONS[event.button];
    if (!enabled() || !button) return;

    const point = pointAt(event);
    region.focus({ preventScroll: true });
    if (!point.inside) return;

    event.preventDefault();
    video.setPointerCapture(event.pointerId);
    // The button carries its own position; a move still waiting would only come after it.
    pendingMove = null;
    last = point;
    held.buttonDown(button);
    send({ type: 'pointer.button', button, down: true, x: point.x, y: point.y });
  };

  const onPointerUp = (event: PointerEvent): void => {
    const button = BUTTONS[event.button];
    if (!button || !held.buttonUp(button)) return;

    event.preventDefault();
    const point = pointAt(event);
    last = point;
    send({ type: 'pointer.button', button, down: false, x: point.x, y: point.y });
  };

  const onWheel = (event: WheelEvent): void => {
    if (!enabled()) return;

    event.preventDefault();
    const point = pointAt(event);
    const notches = wheel.add(event);
    if (!notches || !point.inside) return;

    send({ type: 'pointer.wheel', dx: notches.dx, dy: notches.dy, x: point.x, y: point.y });
  };

  const onContextMenu = (event: Event): void => event.preventDefault();

  const onKeyDown = (event: KeyboardEvent): void => {
    if (!enabled()) return;

    const route = routeKey(event, options.fullscreen());
    if (route === 'browser') return;

    event.preventDefault();
    if (route === 'leave') {
      release();
      options.leave();
      return;
    }
    held.keyDown(event.key, event.code);
    send({ type: 'key', key: event.key, code: event.code, down: true });
  };

  const onKeyUp = (event: KeyboardEvent): void => {
    const down = held.keyUp(event.key, event.code);
    if (!down) return;

    event.preventDefault();
    send({ type: 'key', key: down.key, code: down.code, down: false });
  };

  const listeners: [EventTarget, string, EventListener, AddEventListenerOptions?][] = [
    [video, 'pointermove', onPointerMove as EventListener],
    [video, 'pointerdown', onPointerDown as EventListener],
    [video, 'pointerup', onPointerUp as EventListener],
    [video, 'pointercancel', release],
    // Passive listeners cannot keep the page from scrolling under the remote screen.
    [video, 'wheel', onWheel as EventListener, { passive: false }],
    [video, 'contextmenu', onContextMenu],
    [region, 'keydown', onKeyDown as EventListener],
    [region, 'keyup', onKeyUp as EventListener],
    [region, 'blur', release],
    [window, 'blur', release],
  ];
  for (const [target, type, listener, listenerOptions] of listeners) {
    target.addEventListener(type, listener, listenerOptions);
  }

  return {
    release,
    detach() {
      release();
      for (const [target, type, listener] of listeners) target.removeEventListener(type, listener);
    },
  };
}
