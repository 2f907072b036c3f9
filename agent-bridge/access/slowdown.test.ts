import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, WrongCodeSlowdown } from './slowdown.ts';

describe('WrongCodeSlowdown', () => {
  it('lets three wrong codes through, then doubles the wait from 8 s up to 15 minutes', () => {
    const slowdown = new WrongCodeSlowdown();
    let now = 1_000_000;
    const waits: number[] = [];

    for (let wrong = 1; wrong <= 12; wrong++) {
      now += slowdown.waitMs(now);
      slowdown.wrong(now);
      waits.push(slowdown.waitMs(now) / 1000);
    }

    expect(waits).toEqual([0, 0, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
    expect(MAX_WAIT_MS).toBe(900_000);
  });

  it('counts down the wait, and a right code starts the count again', () => {
    const slowdown = new WrongCodeSlowdown();
    for (let i = 0; i < 4; i++) slowdown.wrong(0);

    expect(slowdown.waitMs(0)).toBe(16_000);
    expect(slowdown.waitMs(10_000)).toBe(6_000);
    expect(slowdown.waitMs(16_000)).toBe(0);

    slowdown.reset();
    slowdown.wrong(20_000);
    expect(slowdown.waitMs(20_000)).toBe(0);
    expect(slowdown.wrongCount).toBe(1);
  });
});
