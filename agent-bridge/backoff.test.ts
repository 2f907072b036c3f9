import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from 0.5 s up to the 30 s cap without jitter', () => {
    const backoff = new Backoff({ jitter: 0 });
    const delays = Array.from({ length: 10 }, () => backoff.next());

    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('only ever shortens a delay with jitter', () => {
    const backoff = new Backoff({ jitter: 0.5, random: () => 0.999 });

    expect(backoff.next()).toBe(250);
    expect(backoff.next()).toBe(500);
  });

  it('starts over after reset and can be told to stop', () => {
    const backoff = new Backoff({ jitter: 0, maxAttempts: 2 });
    backoff.next();
    backoff.next();

    expect(backoff.next()).toBeNull();
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});
