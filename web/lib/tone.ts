import type { EndReason, SessionState } from '../../shared/session-machine.ts';

/** The status colours of the theme: green online, grey offline, amber waiting, red bad. */
export type Tone = 'ok' | 'offline' | 'warn' | 'danger' | 'brand';

/** How a session state should look. Ended sessions are red only when they ended badly. */
export function sessionTone(state: SessionState, endReason: EndReason | null): Tone {
  if (state === 'active') return 'ok';
  if (state !== 'ended') return 'warn';
  if (endReason === 'ended_by_technician' || endReason === 'ended_by_facility') return 'offline';

  return 'danger';
}
