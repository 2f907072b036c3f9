import { EventEmitter } from 'node:events';
import type { Capability } from '../../shared/capabilities.ts';
import type { Person } from '../../shared/protocol/common.ts';
import {
  END_REASON_TEXT,
  SessionMachine,
  type EndReason,
  type SessionState,
} from '../../shared/session-machine.ts';

/** The agent's mirror of one session: what was asked, what staff granted, where it is. */
export interface LocalSession {
  id: string;
  technician: Person;
  reason: string;
  requested: Capability[];
  /** The request narrowed by local policy: all that staff may grant. */
  grantable: Capability[];
  /** What staff granted; empty until approved. */
  granted: Capability[];
  requestedAt: string;
  expiresAt: string;
  approvedAt: string | null;
  machine: SessionMachine;
  /** More capabilities asked for while the session runs, waiting for staff; or null. */
  capabilityRequest: CapabilityRequest | null;
}

/** A running session's request for more capabilities. */
export interface CapabilityRequest {
  requested: Capability[];
  /** The request narrowed by local policy, minus what the session already has. */
  grantable: Capability[];
  requestedAt: string;
  expiresAt: string;
}

/** A session that ended, kept so that staff can see what happened. */
export interface EndedSession {
  sessionId: string;
  technician: Person;
  reason: EndReason;
  /** The end in words, for the consent page. */
  outcome: string;
  endedAt: string;
}

interface RegistryEvents {
  /** Anything staff can see changed. */
  change: [];
  ended: [LocalSession, EndReason, string | null];
  /** A running session's capabilities changed. */
  granted: [LocalSession];
}

const RECENT_LIMIT = 20;

/**
 * The sessions this agent takes part in. Each one's state lives in a SessionMachine
 * from shared/, so the agent refuses the same illegal moves the server does. Ended
 * sessions leave the table and join the `recent` list (newest first, at most 20).
 */
export class SessionRegistry extends EventEmitter<RegistryEvents> {
  readonly #sessions = new Map<string, LocalSession>();
  #recent: EndedSession[] = [];

  get(id: string): LocalSession | undefined {
    return this.#sessions.get(id);
  }

  has(id: string): boolean {
    return this.#sessions.has(id);
  }

  add(session: LocalSession): void {
    this.#sessions.set(session.id, session);
    this.emit('change');
  }

  all(): LocalSession[] {
    return [...this.#sessions.values()];
  }

  /** Sessions waiting for staff to answer. */
  pending(): LocalSession[] {
    return this.all().filter((s) => s.machine.state === 'awaiting_consent');
  }

  /** Approved sessions that have not ended. */
  open(): LocalSession[] {
    return this.all().filter((s) => s.approvedAt !== null);
  }

  /** Running sessions with a capability request waiting for staff. */
  capabilityRequests(): LocalSession[] {
    return this.all().filter((s) => s.capabilityRequest !== null);
  }

  /** Sets or clears a session's waiting capability request. */
  setCapabilityRequest(id: string, request: CapabilityRequest | null): void {
    const session = this.#sessions.get(id);
    if (!session) return;

    session.capabilityRequest = request;
    this.emit('change');
  }

  /** Replaces what a running session may do; listeners tell its peer. */
  setGranted(id: string, granted: Capability[]): void {
    const session = this.#sessions.get(id);
    if (!session) return;

    session.granted = granted;
    this.emit('granted', session);
    this.emit('change');
  }

  recent(): EndedSession[] {
    return [...this.#recent];
  }

  /** Moves a session forward; throws IllegalTransitionError for a move the machine refuses. */
  move(id: string, state: Exclude<SessionState, 'ended'>): void {
    const session = this.#sessions.get(id);
    if (!session || session.machine.state === state) return;

    session.machine.to(state);
    this.emit('change');
  }

  /**
   * Ends a session once; later calls for the same id return false and do nothing.
   * Listeners of 'ended' close whatever belongs to the session.
   */
  end(id: string, reason: EndReason, detail: string | null = null): boolean {
    const session = this.#sessions.get(id);
    if (!session || session.machine.ended) return false;

    // The server owns the session; when it reports an end our mirror would not allow
    // (a consent timeout racing our approval, say), the mirror still ends, as failed.
    if (!session.machine.end(reason)) session.machine.end('failed');

    this.#sessions.delete(id);
    const outcome = describeEnd(reason, detail);
    this.#recent = [
      { sessionId: id, technician: session.technician, reason, outcome, endedAt: now() },
      ...this.#recent,
    ].slice(0, RECENT_LIMIT);

    this.emit('ended', session, reason, detail);
    this.emit('change');

    return true;
  }
}

/** The end in words: the reason's sentence, then the detail as a sentence of its own. */
function describeEnd(reason: EndReason, detail: string | null): string {
  const text = END_REASON_TEXT[reason];
  if (!detail) return text;

  const sentence = detail.charAt(0).toUpperCase() + detail.slice(1);
  return `${text} ${sentence}${/[.!?]$/.test(sentence) ? '' : '.'}`.slice(0, 200);
}

function now(): string {
  return new Date().toISOString();
}
