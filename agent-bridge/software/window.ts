import type { InstallWindow } from '../../shared/software.ts';
import type { Verdict } from './verify.ts';

/**
 * Checks a window staff chose on the consent page. A window must end after it starts and
 * after now; one that started already but is still open means "install now".
 */
export function checkWindow(window: InstallWindow, now = Date.now()): Verdict {
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  if (!Number.isFinite(start) || !Number.isFinite(end)) {
    return { ok: false, reason: 'Enter a date, a start time and an end time for the window.' };
  }
  if (end <= start) return { ok: false, reason: 'The window must end after it starts.' };
  if (end <= now) {
    return {
      ok: false,
      reason: 'That window is already over. Choose a window that ends in the future.',
    };
  }
  return { ok: true };
}

/** Milliseconds until the window opens; 0 when it is open now. */
export function untilOpen(window: InstallWindow, now = Date.now()): number {
  return Math.max(0, Date.parse(window.start) - now);
}

/** Whether the window has closed. */
export function isOver(window: InstallWindow, now = Date.now()): boolean {
  return Date.parse(window.end) <= now;
}

/** "14:00–16:00 on 2025-03-04", in this computer's time zone. */
export function windowWords(window: InstallWindow): string {
  const start = new Date(window.start);
  const end = new Date(window.end);
  const hm = (d: Date) =>
    `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  const day = `${start.getFullYear()}-${String(start.getMonth() + 1).padStart(2, '0')}-${String(start.getDate()).padStart(2, '0')}`;
  return `${hm(start)}–${hm(end)} on ${day}`;
}
