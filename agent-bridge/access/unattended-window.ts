import { DAYS, type Day, type MaintenanceWindow } from './unattended-settings.ts';

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;

/** A moment as the facility's clock shows it. */
interface WallClock {
  year: number;
  /** 1 to 12. */
  month: number;
  day: number;
  weekday: Day;
  /** Minutes since midnight. */
  minutes: number;
}

/**
 * Whether `now` falls in one of `windows` on the clock of `timeZone`. No windows means
 * no limit. A window running past midnight counts on the day it starts, and on the next
 * day until it ends.
 */
export function inWindow(
  windows: readonly MaintenanceWindow[],
  timeZone: string,
  now: Date,
): boolean {
  if (windows.length === 0) return true;

  const clock = wallClock(now, timeZone);
  const yesterday = DAYS[(DAYS.indexOf(clock.weekday) + 6) % 7] as Day;
  return windows.some((window) => {
    const from = minutesOf(window.from);
    const to = minutesOf(window.to);
    if (from < to) {
      return window.days.includes(clock.weekday) && clock.minutes >= from && clock.minutes < to;
    }
    const lateToday = window.days.includes(clock.weekday) && clock.minutes >= from;
    const earlyAfter = window.days.includes(yesterday) && clock.minutes < to;
    return lateToday || earlyAfter;
  });
}

/**
 * When the next window opens after `now`, or null when there are none. Looks eight days
 * ahead, which covers every weekly window whatever the day.
 */
export function nextOpening(
  windows: readonly MaintenanceWindow[],
  timeZone: string,
  now: Date,
): Date | null {
  const today = wallClock(now, timeZone);
  let best: Date | null = null;
  for (let ahead = 0; ahead <= 8; ahead += 1) {
    // Calendar arithmetic in UTC, which has no daylight saving to trip over.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const weekday = DAYS[(date.getUTCDay() + 6) % 7] as Day;
    for (const window of windows) {
      if (!window.days.includes(weekday)) continue;

      const wall = date.getTime() + minutesOf(window.from) * MS_PER_MINUTE;
      const opens = new Date(wallToInstant(wall, timeZone));
      if (opens > now && (best === null || opens < best)) best = opens;
    }
  }
  return best;
}

/** The facility's clock at `instant`. */
export function wallClock(instant: Date, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    parts.find((p) => p.type === type)?.value ?? '';
  const weekday = part('weekday').toLowerCase().slice(0, 3) as Day;

  return {
    year: Number(part('year')),
    month: Number(part('month')),
    day: Number(part('day')),
    weekday,
    minutes: (Number(part('hour')) * 60 + Number(part('minute'))) % MINUTES_PER_DAY,
  };
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

/**
 * The instant at which the facility's clock shows `wall` (a wall time written as if it
 * were UTC). Two rounds settle the offset across a daylight-saving change; a wall time
 * that the change skips lands just after it.
 */
function wallToInstant(wall: number, timeZone: string): number {
  const first = wall - offsetAt(wall, timeZone);
  const second = wall - offsetAt(first, timeZone);
  return Math.max(first, second);
}

/** How far the facility's clock is ahead of UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  const clock = wallClock(new Date(instant), timeZone);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day) + clock.minutes * MS_PER_MINUTE;
  const wholeMinute = instant - (instant % MS_PER_MINUTE);
  return asUtc - wholeMinute;
}
