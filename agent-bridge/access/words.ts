import { IMPLEMENTED_CAPABILITIES, type Capability } from '../../shared/capabilities.ts';

/**
 * What the technician reads when the agent refuses a request by itself. Each sentence
 * stands on its own after "The facility denied the request." in the console, and in the
 * consent page's list of recent sessions.
 */
export const REMOTE_ACCESS_OFF = 'Remote access is switched off at the facility.';

/** The end of a running session when staff switch remote access off. */
export const REMOTE_ACCESS_SWITCHED_OFF = 'Staff switched remote access off at the facility.';

export const CODES_DISABLED = 'This facility does not use one-time codes.';

export const CODE_REQUIRED =
  'This facility accepts sessions only with a one-time code from its staff.';

export const CODE_REFUSALS = {
  wrong: 'The one-time code is not valid. Check it with the facility staff.',
  spent: 'This one-time code was already used. Ask the facility staff for a new one.',
  expired: 'This one-time code has expired. Ask the facility staff for a new one.',
  cancelled: 'This one-time code was cancelled at the facility.',
} as const;

/** Each capability as the object of "This facility does not allow …". */
const AS_OBJECT: Record<Capability, string> = {
  'logs.read': 'reading device logs',
  'screen.view': 'viewing the service computer screen',
  'screen.control': 'remote control',
  terminal: 'a diagnostics terminal',
  'files.transfer': 'file transfer',
  'software.update': 'software updates in a session',
  'license.deliver': 'licence delivery in a session',
};

/**
 * Why the agent refuses `requested` by policy or because it cannot serve it, or null
 * when it could grant all of it: "This facility does not allow remote control."
 */
export function beyondPolicyWords(
  requested: readonly Capability[],
  allowed: readonly Capability[],
): string | null {
  const forbidden = requested.filter((c) => !allowed.includes(c));
  if (forbidden.length > 0) return `This facility does not allow ${list(forbidden)}.`;

  const unserved = requested.filter((c) => !IMPLEMENTED_CAPABILITIES.includes(c));
  if (unserved.length > 0) return `This facility agent cannot provide ${list(unserved)}.`;

  return null;
}

/** What a code cannot cover of a request, e.g. when staff ticked logs only. */
export function codeDoesNotCover(missing: readonly Capability[]): string {
  return (
    `The one-time code does not allow ${list(missing)}. ` +
    'Ask for less, or ask the facility staff for a code that allows it.'
  );
}

/** The slowdown after wrong codes, with how long to wait, rounded up. */
export function waitWords(ms: number): string {
  return `Too many wrong one-time codes were entered for this agent. Try again in ${waitSpan(ms)}.`;
}

/** A slowdown's wait in words, rounded up: "8 seconds", "4 minutes". */
export function waitSpan(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 90
    ? `${seconds} second${seconds === 1 ? '' : 's'}`
    : `${Math.ceil(seconds / 60)} minutes`;
}

/** Capabilities as the object of a sentence: "reading device logs or remote control". */
export function capabilityWords(capabilities: readonly Capability[]): string {
  return list(capabilities);
}

function list(capabilities: readonly Capability[]): string {
  const words = capabilities.map((c) => AS_OBJECT[c]);
  if (words.length <= 1) return words.join('');

  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
