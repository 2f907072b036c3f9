import { describe, expect, it } from 'vitest';
import { checkWindow, isOver, untilOpen } from './window.ts';

const now = Date.parse('2025-03-04T10:00:00.000Z');
const at = (minutes: number) => new Date(now + minutes * 60_000).toISOString();

describe('install windows', () => {
  it('refuses a window in the past or one that ends before it starts, in words', () => {
    expect(checkWindow({ start: at(-120), end: at(-60) }, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/already over/),
    });
    expect(checkWindow({ start: at(60), end: at(30) }, now)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/end after it starts/),
    });
  });

  it('waits until a future window opens and starts at once within an open one', () => {
    expect(checkWindow({ start: at(60), end: at(120) }, now)).toEqual({ ok: true });
    expect(untilOpen({ start: at(60), end: at(120) }, now)).toBe(3_600_000);
    expect(untilOpen({ start: at(-10), end: at(50) }, now)).toBe(0);
    expect(isOver({ start: at(-10), end: at(50) }, now)).toBe(false);
    expect(isOver({ start: at(-10), end: at(50) }, now + 3_600_000)).toBe(true);
  });
});
