import { describe, it, expect } from 'vitest';
import { contentBox, toDisplayPoint } from './geometry.ts';

describe('contentBox', () => {
  it('puts bars left and right when the element is wider than the picture', () => {
    expect(contentBox(1000, 400, 1280, 720)).toEqual({
      x: (1000 - 400 * (1280 / 720)) / 2,
      y: 0,
      width: 400 * (1280 / 720),
      height: 400,
    });
  });

  it('puts bars above and below when the element is taller than the picture', () => {
    const box = contentBox(640, 640, 1280, 720);

    expect(box.width).toBe(640);
    expect(box.height).toBe(360);
    expect(box.y).toBe(140);
  });

  it('uses the whole element before the first frame', () => {
    expect(contentBox(800, 600, 0, 0)).toEqual({ x: 0, y: 0, width: 800, height: 600 });
  });
});

describe('toDisplayPoint', () => {
  const box = contentBox(1000, 400, 1280, 720);

  it('maps the picture corners and centre to fractions', () => {
    expect(toDisplayPoint(box.x, 0, box)).toEqual({ x: 0, y: 0, inside: true });
    expect(toDisplayPoint(box.x + box.width, 400, box)).toEqual({ x: 1, y: 1, inside: true });
    expect(toDisplayPoint(500, 200, box)).toEqual({ x: 0.5, y: 0.5, inside: true });
  });

  it('clamps a point on the bars to the edge and marks it outside', () => {
    expect(toDisplayPoint(10, 100, box)).toEqual({ x: 0, y: 0.25, inside: false });
    expect(toDisplayPoint(999, 500, box)).toEqual({ x: 1, y: 1, inside: false });
  });

  it('is outside for an empty box', () => {
    expect(toDisplayPoint(5, 5, { x: 0, y: 0, width: 0, height: 0 }).inside).toBe(false);
  });
});
