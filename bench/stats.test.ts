import { describe, expect, it } from 'vitest';
import { PATTERN_LAYOUT, readPatternStamp, stampAgeMs } from './pattern-layout.ts';
import { formatFigures, percentile } from './stats.ts';

describe('percentile', () => {
  it('picks by nearest rank', () => {
    const samples = [50, 10, 40, 20, 30];
    expect(percentile(samples, 0.5)).toBe(30);
    expect(percentile(samples, 0.95)).toBe(50);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('formatFigures', () => {
  it('marks a missed goal', () => {
    const text = formatFigures([
      { label: 'fps', value: 25, unit: 'fps', goal: { op: '>=', value: 28 } },
      { label: 'p50', value: 80, unit: 'ms', goal: { op: '<=', value: 120 } },
    ]);
    expect(text).toMatch(/fps\s+25\.0 fps.*MISSED/);
    expect(text).toMatch(/p50\s+80\.0 ms.*ok/);
  });
});

describe('pattern stamp', () => {
  const drawn =
    (value: number) =>
    (x: number, y: number): number => {
      const { bits, rowLeft, rowRight, rowTop, rowHeight } = PATTERN_LAYOUT;
      const i = Math.floor(((x - rowLeft) / (rowRight - rowLeft)) * bits);
      const bit = (Math.floor(value / 2 ** (bits - 1 - i)) % 2) as 0 | 1;
      const inverse = y > rowTop + rowHeight;

      return (inverse ? 1 - bit : bit) * 255;
    };

  it('reads back what was drawn, and its age across the wrap', () => {
    const now = 1_796_321_413_489;
    const stamp = readPatternStamp(drawn(now % 2 ** 32), PATTERN_LAYOUT);
    expect(stamp).toBe(now % 2 ** 32);
    expect(stampAgeMs(stamp!, now + 75)).toBe(75);
    expect(stampAgeMs(2 ** 32 - 10, 2 ** 32 * 5 + 5)).toBe(15);
  });

  it('refuses a frame whose rows do not disagree', () => {
    expect(readPatternStamp(() => 128, PATTERN_LAYOUT)).toBeNull();
  });
});
