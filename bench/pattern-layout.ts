/**
 * Where demo/pattern.py draws things, as fractions of the screen, so that a reader finds
 * them at whatever size the picture is decoded. Keep in step with the constants at the top
 * of demo/pattern.py.
 */
export const PATTERN_LAYOUT = {
  bits: 32,
  rowTop: 0.05,
  rowHeight: 0.08,
  rowGap: 0.02,
  rowLeft: 0.03,
  rowRight: 0.97,
  /** The square that flips between black and white on each mouse press. */
  flip: { left: 0.74, top: 0.56, right: 0.96, bottom: 0.94 },
} as const;

export type PatternLayout = typeof PATTERN_LAYOUT;

/**
 * Reads the time stamp (the low 32 bits of a millisecond wall-clock time) drawn by the
 * pattern. `luma(x, y)` returns the brightness 0..255 at a point given as fractions of the
 * frame. Returns null when any bit and its inverted twin do not disagree clearly, which
 * is what a torn, blurred or foreign frame looks like.
 *
 * The function is self-contained (no imports, no helpers) because the bench also runs it
 * inside the browser page, from its source text.
 */
export function readPatternStamp(
  luma: (x: number, y: number) => number,
  layout: PatternLayout,
): number | null {
  const step = (layout.rowRight - layout.rowLeft) / layout.bits;
  const bitsY = layout.rowTop + layout.rowHeight / 2;
  const inverseY = bitsY + layout.rowHeight + layout.rowGap;
  let value = 0;
  for (let i = 0; i < layout.bits; i += 1) {
    const x = layout.rowLeft + (i + 0.5) * step;
    const bit = luma(x, bitsY);
    const inverse = luma(x, inverseY);
    if (Math.abs(bit - inverse) < 96) return null;
    value = value * 2 + (bit > inverse ? 1 : 0);
  }

  return value;
}

/** Milliseconds from a pattern stamp to `nowMs`, across the 32-bit wrap (every 49 days). */
export function stampAgeMs(stamp: number, nowMs: number): number {
  const wrap = 2 ** 32;

  return ((((nowMs % wrap) - stamp) % wrap) + wrap) % wrap;
}

/**
 * The point inside the flip square that is sampled: near its top-left corner, away from
 * the centre where the bench clicks, because the captured picture includes the mouse
 * pointer.
 */
export function flipSamplePoint(layout: PatternLayout): { x: number; y: number } {
  const { left, top, right, bottom } = layout.flip;

  return { x: left + (right - left) * 0.15, y: top + (bottom - top) * 0.15 };
}

/** The centre of the flip square, where the bench clicks. */
export function flipClickPoint(layout: PatternLayout): { x: number; y: number } {
  const { left, top, right, bottom } = layout.flip;

  return { x: (left + right) / 2, y: (top + bottom) / 2 };
}
