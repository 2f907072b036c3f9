import type { Capability } from '../../shared/capabilities.ts';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import type { EndReason } from '../../shared/session-machine.ts';
import type { LocalSession, SessionRegistry } from '../session/registry.ts';
import type { FacilityLedger } from './ledger.ts';
import type { AuditRole } from './record.ts';

/** Who ended a session, as far as the facility can tell from the reason. */
const ENDED_BY: Record<EndReason, { actor: string; role: AuditRole } | 'technician'> = {
  ended_by_facility: { actor: 'staff', role: 'staff' },
  ended_by_technician: 'technician',
  denied: { actor: 'staff', role: 'staff' },
  consent_timeout: { actor: 'system', role: 'system' },
  agent_offline: { actor: 'system', role: 'system' },
  failed: { actor: 'system', role: 'system' },
};

/**
 * Writes the facility's ledger from what the agent decides and hears: requests as they
 * arrive, every consent decision as a receipt (who approved what for whom, until when),
 * capability changes, refusals by policy or code, ends, and what staff do on the consent
 * page. It reads the messages the agent sends rather than sitting inside each decision,
 * so that nothing decided can skip the ledger.
 */
export class FacilityAuditRecorder {
  readonly #ledger: FacilityLedger;
  readonly #registry: SessionRegistry;

  constructor(ledger: FacilityLedger, registry: SessionRegistry) {
    this.#ledger = ledger;
    this.#registry = registry;
    registry.on('ended', (session, reason, detail) => this.#ended(session, reason, detail));
  }

  /** A message from the server, before the agent acts on it. */
  incoming(message: ServerToAgent): void {
    if (message.type !== 'session.request') return;
    this.#ledger.append({
      actor: `technician:${message.technician.username}`,
      role: 'technician',
      action: 'session.requested',
      sessionId: message.sessionId,
      capability: message.capabilities,
      outcome: 'asked',
      detail: {
        technician: message.technician,
        reason: message.reason,
        // Whether a code came with it; never the code.
        withCode: message.code !== undefined,
        unattended: message.unattended !== undefined,
      },
    });
  }

  /** A message the agent sends: its decisions, before anyone else hears of them. */
  outgoing(message: AgentToServer): void {
    switch (message.type) {
      case 'session.approve':
        return this.#approved(message.sessionId, message.capabilities, {
          byCode: message.oneTimeCode === true,
          unattended: message.unattended === true,
        });
      case 'session.deny':
        return this.#refused(message.sessionId, 'consent', message.reason, message.detail);
      case 'capability.grant':
        return this.#grantChanged(message.sessionId, message.granted);
      case 'capability.deny':
        return this.#refused(message.sessionId, 'capability', message.reason, message.detail);
      case 'session.connected':
        this.#ledger.append({
          actor: 'agent',
          role: 'agent',
          action: 'session.connected',
          sessionId: message.sessionId,
          outcome: 'connected',
        });
        return;
      default:
        return;
    }
  }

  /** Staff made a one-time code for these capabilities. */
  codeCreated(capabilities: Capability[], expiresAt: string): void {
    this.#ledger.append({
      actor: 'staff',
      role: 'staff',
      action: 'code.created',
      capability: capabilities,
      outcome: 'created',
      detail: { validUntil: expiresAt },
    });
  }

  codeCancelled(): void {
    this.#ledger.append({ actor: 'staff', role: 'staff', action: 'code.cancelled' });
  }

  /** Staff switched remote access on or off. */
  remoteAccess(on: boolean): void {
    this.#ledger.append({
      actor: 'staff',
      role: 'staff',
      action: 'remote_access.switched',
      outcome: on ? 'on' : 'off',
    });
  }

  /** The receipt: who approved which capabilities for whom, until the session ends. */
  #approved(
    sessionId: string,
    granted: Capability[],
    how: { byCode: boolean; unattended: boolean },
  ): void {
    const session = this.#registry.get(sessionId);
    const actor = how.byCode ? 'one-time code' : how.unattended ? 'access password' : 'staff';
    this.#ledger.append({
      actor,
      role: how.unattended ? 'agent' : 'staff',
      action: 'consent.approved',
      sessionId,
      capability: granted,
      outcome: 'approved',
      detail: {
        for: session?.technician ?? null,
        until: 'the session ends',
        ...(how.byCode ? { by: 'a one-time code staff made' } : {}),
        ...(how.unattended ? { by: 'the access password facility IT set', unattended: true } : {}),
      },
    });
  }

  #refused(
    sessionId: string,
    what: 'consent' | 'capability',
    reason: string,
    detail: string | undefined,
  ): void {
    const session = this.#registry.get(sessionId);
    // A refusal with words is the agent's (policy, code, switch); without, staff's.
    const byAgent = reason !== 'consent_timeout' && detail !== undefined;
    const actor =
      reason === 'consent_timeout'
        ? { actor: 'system', role: 'system' as const }
        : byAgent
          ? { actor: 'agent', role: 'agent' as const }
          : { actor: 'staff', role: 'staff' as const };
    this.#ledger.append({
      ...actor,
      action: what === 'consent' ? 'consent.denied' : 'capability.denied',
      sessionId,
      capability: session?.capabilityRequest?.requested ?? session?.requested ?? [],
      outcome: reason === 'consent_timeout' ? 'timed out' : byAgent ? 'refused' : 'denied',
      detail: { for: session?.technician ?? null, ...(detail ? { words: detail } : {}) },
    });
  }

  #grantChanged(sessionId: string, granted: Capability[]): void {
    const before = this.#registry.get(sessionId)?.granted ?? [];
    const added = granted.filter((c) => !before.includes(c));
    const removed = before.filter((c) => !granted.includes(c));
    if (added.length > 0) {
      this.#ledger.append({
        actor: 'staff',
        role: 'staff',
        action: 'capability.granted',
        sessionId,
        capability: added,
        outcome: 'approved',
        detail: {
          for: this.#registry.get(sessionId)?.technician ?? null,
          until: 'the session ends',
        },
      });
    }
    if (removed.length > 0) {
      this.#ledger.append({
        actor: 'staff',
        role: 'staff',
        action: 'capability.revoked',
        sessionId,
        capability: removed,
        outcome: 'revoked',
      });
    }
  }

  #ended(session: LocalSession, reason: EndReason, detail: string | null): void {
    // A request that never ran was already recorded as denied.
    if (reason === 'denied' || reason === 'consent_timeout') return;
    const by = ENDED_BY[reason];
    const who =
      by === 'technician'
        ? { actor: `technician:${session.technician.username}`, role: 'technician' as const }
        : by;
    this.#ledger.append({
      ...who,
      action: 'session.ended',
      sessionId: session.id,
      capability: session.granted,
      outcome: reason,
      detail: detail ? { words: detail } : {},
    });
  }
}
