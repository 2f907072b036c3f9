import { describe, expect, it } from 'vitest';
import { FrameCutter } from './frame-cutter.ts';

describe('FrameCutter', () => {
  it('cuts frames out of chunks of any size, in order', () => {
    const frames: number[][] = [];
    const cutter = new FrameCutter(2, 2, (f) => frames.push([...f.data]));
    const stream = Buffer.from(Array.from({ length: 6 * 4 + 2 }, (_, i) => i));

    // 6 bytes a frame: split across chunks, several in one chunk, a tail left over.
    for (const [from, to] of [
      [0, 4],
      [4, 5],
      [5, 19],
      [19, 26],
    ] as const) {
      cutter.push(stream.subarray(from, to));
    }

    expect(frames).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10, 11],
      [12, 13, 14, 15, 16, 17],
      [18, 19, 20, 21, 22, 23],
    ]);
  });

  it('refuses odd sizes, which I420 cannot hold', () => {
    expect(() => new FrameCutter(3, 2, () => undefined)).toThrow(RangeError);
  });
});
