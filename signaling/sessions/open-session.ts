import type { Capability } from '../../shared/capabilities.ts';
import type { Person } from '../../shared/protocol/common.ts';
import type { FacilityView, SessionView } from '../../shared/protocol/views.ts';
import { TetherError } from '../../shared/errors.ts';
import {
  STATE_TEXT,
  type SessionMachine,
  type SessionState,
} from '../../shared/session-machine.ts';

/** A session the broker holds in memory until it ends. */
export interface OpenSession {
  id: string;
  agentId: string;
  agentName: string;
  facility: FacilityView;
  technicianId: string;
  technician: Person;
  reason: string;
  requested: Capability[];
  granted: Capability[];
  createdAt: string;
  updatedAt: string;
  endDetail: string | null;
  machine: SessionMachine;
  /** The current WebRTC attempt: 0 at approval, one more for each rebuilt path. */
  attempt: number;
  /** Persistence and announcements of this session's transitions, run one after another. */
  queue: Promise<void>;
  /**
   * Asked for unattended: the browser and the agent run the access password exchange
   * through the server, which passes its public messages on and keeps none of them.
   */
  unattended?: boolean;
}

/** The wire view of a session, as the console and agent see it. */
export function toSessionView(session: OpenSession): SessionView {
  return {
    id: session.id,
    agentId: session.agentId,
    agentName: session.agentName,
    facility: session.facility,
    technician: session.technician,
    reason: session.reason,
    state: session.machine.state,
    endReason: session.machine.endReason ?? null,
    endDetail: session.endDetail,
    requested: session.requested,
    granted: session.granted,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
  };
}

/** Throws `invalid_state`, in words, unless the session is in one of `states`. */
export function expectState(
  session: OpenSession,
  states: readonly SessionState[],
  consequence?: string,
): void {
  if (states.includes(session.machine.state)) return;

  const now = STATE_TEXT[session.machine.state].toLowerCase();
  const tail = consequence ? `; ${consequence}` : '';
  throw new TetherError('invalid_state', `The session is ${now}${tail}.`);
}
