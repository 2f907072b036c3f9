import type { AgentView, FacilityView } from '../shared/protocol/views.ts';
import type { AgentDirectory } from './agents/directory.ts';
import type { EnrolmentService } from './agents/enrolment.ts';
import type { FacilityStore } from './agents/facilities.ts';
import type { AuditLedger, AuditRecord, ChainCheck } from './audit/ledger.ts';
import type { UserSpec, UserStore } from './auth/users.ts';

/**
 * What an operator (or a start script) does without a console: set up facilities and
 * accounts, make enrolment tokens, look at agents and the audit ledger.
 */
export interface Admin {
  /** The facility with this name, created if needed. */
  ensureFacility(name: string): Promise<FacilityView>;
  /** Creates the account, or updates its profile and, if it changed, its password hash. */
  ensureUser(user: UserSpec): Promise<void>;
  /** A single-use enrolment token for the facility (default lifetime 24 h). */
  createEnrolmentToken(facilityId: string, ttlMs?: number): Promise<string>;
  /** Every enrolled agent, with whether it is online now and its devices. */
  listAgents(): Promise<AgentView[]>;
  /** Audit records in order, for one session or all. */
  listAudit(sessionId?: string): Promise<AuditRecord[]>;
  /** Recomputes the audit hash chain and reports the first break, if any. */
  verifyAudit(): Promise<ChainCheck>;
}

export function createAdmin(deps: {
  facilities: FacilityStore;
  users: UserStore;
  enrolment: EnrolmentService;
  directory: AgentDirectory;
  audit: AuditLedger;
}): Admin {
  const { facilities, users, enrolment, directory, audit } = deps;

  return {
    ensureFacility: (name) => facilities.ensure(name),
    async ensureUser(spec) {
      const user = await users.ensure(spec);
      await audit.append({
        actor: 'system',
        action: 'account.ensured',
        detail: { userId: user.id, username: user.username, role: user.role },
      });
    },
    async createEnrolmentToken(facilityId, ttlMs) {
      return (await enrolment.createToken(facilityId, ttlMs)).token;
    },
    listAgents: () => directory.list(),
    listAudit: (sessionId) => audit.list(sessionId),
    verifyAudit: () => audit.verify(),
  };
}
