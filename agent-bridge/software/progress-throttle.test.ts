import { describe, expect, it } from 'vitest';
import { ProgressThrottle } from './progress-throttle.ts';

describe('ProgressThrottle', () => {
  it('reports the first value, each 5 % step and the end, per key', () => {
    const throttle = new ProgressThrottle();
    const reported = [0, 0.01, 0.04, 0.05, 0.07, 0.11, 0.13, 1].filter((p) =>
      throttle.worthReporting('job:a', p),
    );

    expect(reported).toEqual([0, 0.05, 0.11, 1]);
    expect(throttle.worthReporting('job:b', 0.5)).toBe(true);
  });

  it('starts again after a reset to no progress', () => {
    const throttle = new ProgressThrottle();
    throttle.worthReporting('k', 0.5);

    expect(throttle.worthReporting('k', null)).toBe(true);
    expect(throttle.worthReporting('k', 0.51)).toBe(true);
  });
});
