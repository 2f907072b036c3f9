import type { ServerToAgent } from '../../shared/protocol/agent.ts';
import type { ServerToConsole } from '../../shared/protocol/console.ts';
import type { SessionView } from '../../shared/protocol/views.ts';
import type { IceIssuer, SessionIce } from '../turn/ice-issuer.ts';
import type { OpenSession } from './open-session.ts';

/** Where the broker's messages go: a technician's consoles, or an agent. */
export interface Outbox {
  toUser(userId: string, message: ServerToConsole): void;
  toAgent(agentId: string, message: ServerToAgent): void;
}

/**
 * Tells both peers how to reach each other for the session's current attempt, with fresh
 * ICE servers and one TURN credential for both (each with the URLs it reaches TURN by).
 * Sent at approval and again for every rebuilt path.
 */
export function sendConnect(
  outbox: Outbox,
  session: OpenSession,
  issuer?: Pick<IceIssuer, 'forSession'>,
): void {
  const ice = issuer?.forSession(session.id);
  const connect = (peer: keyof SessionIce) => ({
    type: 'session.connect' as const,
    sessionId: session.id,
    attempt: session.attempt,
    ...(ice?.[peer] ?? { iceServers: [] }),
  });
  outbox.toAgent(session.agentId, connect('agent'));
  outbox.toUser(session.technicianId, connect('console'));
}

/**
 * Tells the technician about every state change, and the agent what it must act on:
 * a request to put to staff (with the technician's one-time code, if any, or the first
 * message of the access password exchange, which go nowhere else), how to connect once
 * approved, and the end. `ice` mints the session's
 * ICE servers and TURN credential at approval; without it, direct paths only.
 */
export function announce(
  outbox: Outbox,
  session: OpenSession,
  view: SessionView,
  issuer?: Pick<IceIssuer, 'forSession'>,
  oneTimeCode?: string,
  unattended?: { ke1: string },
): void {
  outbox.toUser(session.technicianId, { type: 'session.update', session: view });

  if (view.state === 'awaiting_consent') {
    outbox.toAgent(session.agentId, {
      type: 'session.request',
      sessionId: session.id,
      technician: session.technician,
      capabilities: session.requested,
      reason: session.reason,
      requestedAt: session.createdAt,
      ...(oneTimeCode === undefined ? {} : { code: oneTimeCode }),
      ...(unattended === undefined ? {} : { unattended }),
    });
  } else if (view.state === 'approved') {
    sendConnect(outbox, session, issuer);
  } else if (view.state === 'ended' && view.endReason) {
    outbox.toAgent(session.agentId, {
      type: 'session.ended',
      sessionId: session.id,
      reason: view.endReason,
      detail: view.endDetail,
    });
  }
}
