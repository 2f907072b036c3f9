import { STATE_TEXT, type SessionState } from '../../../shared/session-machine.ts';
import type { ConnectionState } from './connection.ts';

/** States that are on their way somewhere: shown with a spinner and an ellipsis. */
const IN_PROGRESS: readonly SessionState[] = [
  'requested',
  'awaiting_consent',
  'approved',
  'connecting',
  'reconnecting',
];

export function isInProgress(state: SessionState): boolean {
  return IN_PROGRESS.includes(state);
}

/** The headline of the session panel, e.g. "Waiting for facility approval…". */
export function stateHeadline(state: SessionState): string {
  return isInProgress(state) ? `${STATE_TEXT[state]}…` : STATE_TEXT[state];
}

/** One sentence under the headline saying what happens next. */
export function stateExplanation(state: SessionState, facility: string): string {
  switch (state) {
    case 'requested':
      return 'Sending the request to the facility agent.';
    case 'awaiting_consent':
      return `Staff at ${facility} are asked to allow this session. If nobody answers, it is declined automatically.`;
    case 'approved':
      return 'The facility allowed the session. Opening a connection to the agent.';
    case 'connecting':
      return 'Opening a secure connection to the facility agent.';
    case 'active':
      return 'Device logs stream live from the facility.';
    case 'reconnecting':
      return 'The connection dropped. Trying to restore it.';
    case 'ended':
      return '';
  }
}

/** The connection line in the session facts, before a path names itself. */
export function connectionWords(state: ConnectionState, ended: boolean): string {
  switch (state) {
    case 'idle':
      return ended ? 'Not connected' : 'Not connected yet';
    case 'connecting':
      return 'Connecting…';
    case 'connected':
      return 'Connected';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'closed':
      return 'Closed';
  }
}

/** A received bitrate as the header shows it: kbit/s below one megabit, Mbit/s above. */
export function bitrateWords(bitsPerSecond: number): string {
  if (bitsPerSecond < 1_000_000) return `${Math.max(0, Math.round(bitsPerSecond / 1000))} kbit/s`;
  return `${(bitsPerSecond / 1_000_000).toFixed(bitsPerSecond < 10_000_000 ? 1 : 0)} Mbit/s`;
}
