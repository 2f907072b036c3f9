/** How the picture is sized: scaled into the window, or one remote pixel per CSS pixel. */
export type ScreenScale = 'fit' | 'actual';

/** A rectangle in CSS pixels, relative to the video element's top left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A point on the remote display as fractions of its size, 0..1 from the top left. */
export interface DisplayPoint {
  x: number;
  y: number;
  /** False when the pointer is on the black bars around the picture, or outside it. */
  inside: boolean;
}

/**
 * Where the picture sits inside a video element that shows it with `object-fit: contain`:
 * scaled to fit whole, centred, with bars on two sides when the aspect ratios differ.
 * Before the first frame (no intrinsic size) the whole element counts as the picture.
 */
export function contentBox(
  elementWidth: number,
  elementHeight: number,
  videoWidth: number,
  videoHeight: number,
): Box {
  if (videoWidth <= 0 || videoHeight <= 0 || elementWidth <= 0 || elementHeight <= 0) {
    return { x: 0, y: 0, width: Math.max(0, elementWidth), height: Math.max(0, elementHeight) };
  }

  const scale = Math.min(elementWidth / videoWidth, elementHeight / videoHeight);
  const width = videoWidth * scale;
  const height = videoHeight * scale;

  return { x: (elementWidth - width) / 2, y: (elementHeight - height) / 2, width, height };
}

/**
 * Turns a pointer position (CSS pixels from the element's top left) into display
 * fractions. Positions off the picture are clamped to its edge and marked as outside,
 * so a drag that leaves the picture still ends on its border.
 */
export function toDisplayPoint(offsetX: number, offsetY: number, box: Box): DisplayPoint {
  if (box.width <= 0 || box.height <= 0) return { x: 0, y: 0, inside: false };

  const rawX = (offsetX - box.x) / box.width;
  const rawY = (offsetY - box.y) / box.height;
  const inside = rawX >= 0 && rawX <= 1 && rawY >= 0 && rawY <= 1;

  return { x: clampFraction(rawX), y: clampFraction(rawY), inside };
}

function clampFraction(value: number): number {
  if (!Number.isFinite(value)) return 0;

  // Rounded so a message stays short; 1/100000 of a display is far below a pixel.
  return Math.round(Math.min(1, Math.max(0, value)) * 100_000) / 100_000;
}
