import { z } from 'zod';

/**
 * The session lifecycle. One table of legal moves; one function that makes them.
 *
 *   requested → awaiting_consent → approved → connecting → active ⇄ reconnecting → ended
 *
 * Any state but `ended` may move to `ended`, always with a reason.
 */
export const SESSION_STATES = [
  'requested',
  'awaiting_consent',
  'approved',
  'connecting',
  'active',
  'reconnecting',
  'ended',
] as const;
export type SessionState = (typeof SESSION_STATES)[number];
export const SessionState = z.enum(SESSION_STATES);

export const END_REASONS = [
  'denied',
  'consent_timeout',
  'ended_by_facility',
  'ended_by_technician',
  'agent_offline',
  'failed',
] as const;
export type EndReason = (typeof END_REASONS)[number];
export const EndReason = z.enum(END_REASONS);

const FORWARD: Record<SessionState, readonly SessionState[]> = {
  requested: ['awaiting_consent'],
  awaiting_consent: ['approved'],
  approved: ['connecting'],
  connecting: ['active'],
  active: ['reconnecting'],
  reconnecting: ['active'],
  ended: [],
};

/** Reasons that only make sense before the facility said yes. */
const CONSENT_REASONS: readonly EndReason[] = ['denied', 'consent_timeout'];

/** Whether `from → to` is a legal move, and for `ended`, whether `reason` fits `from`. */
export function canTransition(from: SessionState, to: SessionState, reason?: EndReason): boolean {
  if (from === 'ended') return false;
  if (to !== 'ended') return FORWARD[from].includes(to) && reason === undefined;
  if (reason === undefined) return false;
  if (CONSENT_REASONS.includes(reason)) return from === 'requested' || from === 'awaiting_consent';

  return true;
}

export class IllegalTransitionError extends Error {
  constructor(from: SessionState, to: SessionState, reason?: EndReason) {
    super(`illegal session transition ${from} -> ${to}${reason ? ` (${reason})` : ''}`);
    this.name = 'IllegalTransitionError';
  }
}

export interface TransitionEvent {
  from: SessionState;
  to: SessionState;
  reason?: EndReason;
}

/**
 * Holds one session's state. `to()` is the only way to change it: it refuses illegal
 * moves and tells each listener about every legal one exactly once.
 */
export class SessionMachine {
  #state: SessionState;
  #endReason: EndReason | undefined;
  readonly #listeners = new Set<(event: TransitionEvent) => void>();

  constructor(initial: SessionState = 'requested', endReason?: EndReason) {
    this.#state = initial;
    this.#endReason = endReason;
  }

  get state(): SessionState {
    return this.#state;
  }

  get endReason(): EndReason | undefined {
    return this.#endReason;
  }

  get ended(): boolean {
    return this.#state === 'ended';
  }

  /** Moves to `next`; throws IllegalTransitionError when the move is not in the table. */
  to(next: SessionState, reason?: EndReason): TransitionEvent {
    const from = this.#state;
    if (!canTransition(from, next, reason)) throw new IllegalTransitionError(from, next, reason);

    this.#state = next;
    this.#endReason = reason;
    const event: TransitionEvent = reason ? { from, to: next, reason } : { from, to: next };
    for (const listener of this.#listeners) listener(event);

    return event;
  }

  /** Ends the session unless it already ended; returns whether this call ended it. */
  end(reason: EndReason): boolean {
    if (this.ended || !canTransition(this.#state, 'ended', reason)) return false;
    this.to('ended', reason);

    return true;
  }

  onTransition(listener: (event: TransitionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** Words a technician or facility staff member reads for each way a session ends. */
export const END_REASON_TEXT: Record<EndReason, string> = {
  denied: 'The facility denied the request.',
  consent_timeout: 'Nobody at the facility answered the request in time.',
  ended_by_facility: 'The facility ended the session.',
  ended_by_technician: 'The technician ended the session.',
  agent_offline: 'The facility agent went offline.',
  failed: 'The session failed.',
};

export const STATE_TEXT: Record<SessionState, string> = {
  requested: 'Requested',
  awaiting_consent: 'Waiting for facility approval',
  approved: 'Approved',
  connecting: 'Connecting',
  active: 'Connected',
  reconnecting: 'Reconnecting',
  ended: 'Ended',
};
