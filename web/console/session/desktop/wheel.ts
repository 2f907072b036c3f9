/** Pixels of wheel movement that count as one notch (what Chromium reports per click). */
export const PIXELS_PER_NOTCH = 100;
/** Lines per notch when the browser reports in lines (Firefox with a mouse wheel). */
export const LINES_PER_NOTCH = 3;
/** The most notches one message may carry (the protocol's limit). */
export const MAX_NOTCHES = 20;

const DOM_DELTA_LINE = 1;
const DOM_DELTA_PAGE = 2;

/** What one wheel event moved, as WheelEvent reports it. */
export interface WheelDelta {
  deltaX: number;
  deltaY: number;
  deltaMode: number;
}

/**
 * Turns wheel events into whole notches. Touchpads report many small deltas; they are
 * added up until a notch is reached, so slow two-finger scrolling still scrolls, and the
 * remainder is kept for the next event rather than lost or rounded up.
 */
export class WheelAccumulator {
  #x = 0;
  #y = 0;

  /** Adds one event; returns the whole notches to send now, or null when below one. */
  add(delta: WheelDelta): { dx: number; dy: number } | null {
    const scale = notchesPerUnit(delta.deltaMode);
    this.#x += delta.deltaX * scale;
    this.#y += delta.deltaY * scale;

    const dx = Math.trunc(this.#x);
    const dy = Math.trunc(this.#y);
    this.#x -= dx;
    this.#y -= dy;
    if (dx === 0 && dy === 0) return null;

    return { dx: clampNotches(dx), dy: clampNotches(dy) };
  }

  /** Forgets the remainder (the pointer left the screen). */
  reset(): void {
    this.#x = 0;
    this.#y = 0;
  }
}

function notchesPerUnit(mode: number): number {
  if (mode === DOM_DELTA_LINE) return 1 / LINES_PER_NOTCH;
  if (mode === DOM_DELTA_PAGE) return 10 / LINES_PER_NOTCH;

  return 1 / PIXELS_PER_NOTCH;
}

function clampNotches(value: number): number {
  return Math.max(-MAX_NOTCHES, Math.min(MAX_NOTCHES, value));
}
