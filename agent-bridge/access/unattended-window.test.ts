import { describe, expect, it } from 'vitest';
import type { MaintenanceWindow } from './unattended-settings.ts';
import { inWindow, nextOpening } from './unattended-window.ts';

const BERLIN = 'Europe/Berlin';
/** Friday 22:00 to Saturday 02:00 on the facility's clock. */
const FRIDAY_NIGHT: MaintenanceWindow[] = [{ days: ['fri'], from: '22:00', to: '02:00' }];

describe('maintenance windows', () => {
  it('means any time when none are listed', () => {
    expect(inWindow([], BERLIN, new Date('2025-03-05T12:00:00Z'))).toBe(true);
    expect(nextOpening([], BERLIN, new Date())).toBeNull();
  });

  it('runs a window past midnight into the next day, on the facility clock', () => {
    // 2025-06-06 is a Friday; Berlin is UTC+2 in June.
    const at = (iso: string) => inWindow(FRIDAY_NIGHT, BERLIN, new Date(iso));

    expect(at('2025-06-06T19:59:00Z')).toBe(false); // Fri 21:59
    expect(at('2025-06-06T20:00:00Z')).toBe(true); // Fri 22:00
    expect(at('2025-06-06T23:30:00Z')).toBe(true); // Sat 01:30
    expect(at('2025-06-07T00:00:00Z')).toBe(false); // Sat 02:00, the end
    expect(at('2025-06-07T20:30:00Z')).toBe(false); // Sat 22:30: only Fridays start one
    expect(at('2025-06-05T23:30:00Z')).toBe(false); // Fri 01:30 belongs to Thursday
  });

  it('reads the same instant differently in another time zone', () => {
    const window: MaintenanceWindow[] = [{ days: ['mon'], from: '08:00', to: '09:00' }];
    const instant = new Date('2025-01-06T08:30:00Z'); // Monday

    expect(inWindow(window, 'UTC', instant)).toBe(true);
    expect(inWindow(window, BERLIN, instant)).toBe(false); // 09:30 there
    expect(inWindow(window, 'America/New_York', instant)).toBe(false); // 03:30 there
  });

  it('finds the next opening, this week or the next', () => {
    const saturday = new Date('2025-06-07T10:00:00Z');
    expect(nextOpening(FRIDAY_NIGHT, BERLIN, saturday)?.toISOString()).toBe(
      '2025-06-13T20:00:00.000Z',
    );

    const both: MaintenanceWindow[] = [
      ...FRIDAY_NIGHT,
      { days: ['sat', 'sun'], from: '06:30', to: '07:00' },
    ];
    expect(nextOpening(both, BERLIN, saturday)?.toISOString()).toBe('2025-06-08T04:30:00.000Z');
  });

  it('keeps the facility clock across a change to daylight saving time', () => {
    // Berlin moves from UTC+1 to UTC+2 on Sunday 2025-03-30.
    const window: MaintenanceWindow[] = [{ days: ['sun', 'mon'], from: '03:00', to: '05:00' }];

    const next = nextOpening(window, BERLIN, new Date('2025-03-29T12:00:00Z'));
    expect(next?.toISOString()).toBe('2025-03-30T01:00:00.000Z'); // 03:00 summer time
    expect(inWindow(window, BERLIN, new Date('2025-03-31T01:30:00Z'))).toBe(true); // 03:30
  });
});
