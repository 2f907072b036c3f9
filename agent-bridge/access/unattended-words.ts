import type { Person } from '../../shared/protocol/common.ts';
import { wallClock } from './unattended-window.ts';
import { waitSpan } from './words.ts';

/**
 * What the technician reads when the agent refuses unattended access. Like the other
 * refusals, each sentence follows "The facility denied the request." in the console.
 */
export const UNATTENDED_DISABLED = 'This facility does not allow unattended access.';

export const UNATTENDED_NOBODY =
  'This facility allows unattended access, but its policy names no technician or organisation yet.';

export const NO_PASSWORD_SET =
  'No access password is set on the facility agent, so unattended access cannot be proven. ' +
  'Facility IT sets it on the agent computer.';

export const WRONG_PASSWORD = 'The access password is wrong.';

export const EXCHANGE_EXPIRED =
  'The access password check did not finish in time. Request the session again.';

export const EXCHANGE_MALFORMED = 'The access password check was malformed. Reload the console.';

/** A technician whom the policy does not name, nor their organisation. */
export function notNamedWords(technician: Person): string {
  return (
    `This facility does not allow unattended access for ${technician.displayName} ` +
    `(${technician.username}) of ${technician.organisation}.`
  );
}

/** What an unattended session may not have, e.g. "allows only reading device logs". */
export function unattendedCapabilityWords(allowedWords: string): string {
  return (
    `Unattended access at this facility allows only ${allowedWords}. ` +
    'Ask for less, or ask the facility staff to approve the session.'
  );
}

/** Outside every maintenance window, with when the next one opens. */
export function outsideWindowWords(next: Date | null, timeZone: string, now: Date): string {
  const base = 'Unattended access is allowed only within the facility’s maintenance windows.';
  if (!next) return base;

  return `${base} The next one opens ${whenWords(next, timeZone)} (${timeZone} time), ${untilWords(next.getTime() - now.getTime())}.`;
}

/** The slowdown after wrong access passwords, with how long to wait, rounded up. */
export function passwordWaitWords(ms: number): string {
  return `Too many wrong access passwords were tried for this agent. Try again in ${waitSpan(ms)}.`;
}

/** "on Saturday 7 June at 22:00" on the facility's clock. */
function whenWords(instant: Date, timeZone: string): string {
  const clock = wallClock(instant, timeZone);
  const day = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
  }).format(instant);
  const hours = String(Math.floor(clock.minutes / 60)).padStart(2, '0');
  const minutes = String(clock.minutes % 60).padStart(2, '0');
  return `on ${day.replace(',', '')} at ${hours}:${minutes}`;
}

/** "in 2 hours 5 minutes", rounded up to the minute. */
function untilWords(ms: number): string {
  const total = Math.max(1, Math.ceil(ms / 60_000));
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts = [
    days ? `${days} day${days === 1 ? '' : 's'}` : '',
    hours ? `${hours} hour${hours === 1 ? '' : 's'}` : '',
    minutes ? `${minutes} minute${minutes === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `in ${parts.join(' ')}`;
}
