import { describe, it, expect } from 'vitest';
import { MAX_NOTCHES, WheelAccumulator } from './wheel.ts';

const PIXELS = 0;
const LINES = 1;

describe('WheelAccumulator', () => {
  it('gives one notch per mouse wheel click', () => {
    const wheel = new WheelAccumulator();

    expect(wheel.add({ deltaX: 0, deltaY: 100, deltaMode: PIXELS })).toEqual({ dx: 0, dy: 1 });
    expect(wheel.add({ deltaX: 0, deltaY: -300, deltaMode: PIXELS })).toEqual({ dx: 0, dy: -3 });
    expect(wheel.add({ deltaX: 0, deltaY: 3, deltaMode: LINES })).toEqual({ dx: 0, dy: 1 });
  });

  it('adds up small touchpad deltas until a notch is reached', () => {
    const wheel = new WheelAccumulator();

    expect(wheel.add({ deltaX: 40, deltaY: 30, deltaMode: PIXELS })).toBeNull();
    expect(wheel.add({ deltaX: 40, deltaY: 30, deltaMode: PIXELS })).toBeNull();
    expect(wheel.add({ deltaX: 40, deltaY: 30, deltaMode: PIXELS })).toEqual({ dx: 1, dy: 0 });
    expect(wheel.add({ deltaX: 0, deltaY: 30, deltaMode: PIXELS })).toEqual({ dx: 0, dy: 1 });
  });

  it('clamps a huge fling to the protocol limit', () => {
    const wheel = new WheelAccumulator();

    expect(wheel.add({ deltaX: 0, deltaY: 1e6, deltaMode: PIXELS })).toEqual({
      dx: 0,
      dy: MAX_NOTCHES,
    });
  });

  it('forgets the remainder on reset', () => {
    const wheel = new WheelAccumulator();
    wheel.add({ deltaX: 0, deltaY: 90, deltaMode: PIXELS });
    wheel.reset();

    expect(wheel.add({ deltaX: 0, deltaY: 20, deltaMode: PIXELS })).toBeNull();
  });
});
