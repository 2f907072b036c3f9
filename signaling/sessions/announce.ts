import type { ServerToAgent } from '../../shared/protocol/agent.ts';
import type { ServerToConsole } from '../../shared/protocol/console.ts';
import type { SessionView } from '../../shared/protocol/views.ts';
import type { OpenSession } from './open-session.ts';

/** Where the broker's messages go: a technician's consoles, or an agent. */
export interface Outbox {
  toUser(userId: string, message: ServerToConsole): void;
  toAgent(agentId: string, message: ServerToAgent): void;
}

/**
 * Tells the technician about every state change, and the agent what it must act on:
 * a request to put to staff, how to connect once approved, and the end.
 */
export function announce(outbox: Outbox, session: OpenSession, view: SessionView): void {
  outbox.toUser(session.technicianId, { type: 'session.update', session: view });

  if (view.state === 'awaiting_consent') {
    outbox.toAgent(session.agentId, {
      type: 'session.request',
      sessionId: session.id,
      technician: session.technician,
      capabilities: session.requested,
      reason: session.reason,
      requestedAt: session.createdAt,
    });
  } else if (view.state === 'approved') {
    // No ICE servers yet: the walking skeleton runs on a closed network, host candidates only.
    const connect = { type: 'session.connect' as const, sessionId: session.id, iceServers: [] };
    outbox.toAgent(session.agentId, connect);
    outbox.toUser(session.technicianId, connect);
  } else if (view.state === 'ended' && view.endReason) {
    outbox.toAgent(session.agentId, {
      type: 'session.ended',
      sessionId: session.id,
      reason: view.endReason,
      detail: view.endDetail,
    });
  }
}
