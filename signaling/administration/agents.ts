import { TetherError } from '../../shared/errors.ts';
import type { AdminAgentView, CreateTokenResponse } from '../../shared/protocol/admin.ts';
import type { FacilityView, UserView } from '../../shared/protocol/views.ts';
import type { AgentRecord, AgentStore } from '../agents/agent-store.ts';
import type { EnrolmentService } from '../agents/enrolment.ts';
import type { FacilityStore } from '../agents/facilities.ts';
import type { AgentRegistry } from '../agents/registry.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import { nowIso } from '../util.ts';

/**
 * Ends an agent's running sessions with `why` and drops its connections at once; the
 * consoles then list the fleet without it.
 */
export type CutOffAgent = (agentId: string, why: string) => Promise<void>;

/**
 * What an administrator does about agents: facilities, single-use enrolment tokens, the
 * list of enrolled agents and revoking one. Every change is audited with the
 * administrator as actor.
 */
export class AgentAdmin {
  readonly #agents: AgentStore;
  readonly #registry: AgentRegistry;
  readonly #facilities: FacilityStore;
  readonly #enrolment: EnrolmentService;
  readonly #cutOff: CutOffAgent;
  readonly #audit: AuditLedger;
  readonly #log: Logger;

  constructor(deps: {
    agents: AgentStore;
    registry: AgentRegistry;
    facilities: FacilityStore;
    enrolment: EnrolmentService;
    cutOff: CutOffAgent;
    audit: AuditLedger;
    log: Logger;
  }) {
    this.#agents = deps.agents;
    this.#registry = deps.registry;
    this.#facilities = deps.facilities;
    this.#enrolment = deps.enrolment;
    this.#cutOff = deps.cutOff;
    this.#audit = deps.audit;
    this.#log = deps.log;
  }

  listFacilities(): Promise<FacilityView[]> {
    return this.#facilities.list();
  }

  async createFacility(admin: UserView, name: string): Promise<FacilityView> {
    if (await this.#facilities.findByName(name)) {
      throw new TetherError('invalid_state', `There is already a facility called ${name}.`);
    }

    const facility = await this.#facilities.ensure(name);
    await this.#audit.append({
      actor: `user:${admin.id}`,
      action: 'facility.created',
      detail: { facilityId: facility.id, name },
    });
    return facility;
  }

  /** A single-use token for one agent of the facility, valid for `validHours`. */
  async createToken(
    admin: UserView,
    facilityId: string,
    validHours: number,
  ): Promise<CreateTokenResponse> {
    const facility = await this.#facilities.get(facilityId);
    if (!facility) throw new TetherError('not_found', 'There is no such facility.');

    const ttlMs = validHours * 60 * 60_000;
    const { token, expiresAt } = await this.#enrolment.createToken(
      facility.id,
      ttlMs,
      `user:${admin.id}`,
    );
    this.#log.info({ by: admin.id, facilityId, validHours }, 'enrolment token created');
    return { token, facility, expiresAt };
  }

  /** Every agent ever enrolled, revoked ones included, with whether it is online now. */
  async listAgents(): Promise<AdminAgentView[]> {
    return (await this.#agents.listAll()).map((record) => this.#view(record));
  }

  /**
   * Revokes the agent: its key is refused from now on (connecting, the relay and
   * enrolling again), its running sessions end and it is disconnected at once.
   */
  async revoke(admin: UserView, agentId: string): Promise<AdminAgentView> {
    const record = await this.#agents.get(agentId);
    if (!record) throw new TetherError('not_found', 'There is no such agent.');

    if (await this.#agents.revoke(agentId, admin.id, nowIso())) {
      await this.#cutOff(agentId, 'An administrator revoked the facility agent.');
      await this.#audit.append({
        actor: `user:${admin.id}`,
        action: 'agent.revoked',
        detail: { agentId, name: record.name, facilityId: record.facility.id },
      });
      this.#log.info({ by: admin.id, agentId }, 'agent revoked');
    }

    const now = await this.#agents.get(agentId);
    if (!now) throw new TetherError('not_found', 'There is no such agent.');
    return this.#view(now);
  }

  #view(record: AgentRecord): AdminAgentView {
    return {
      id: record.id,
      name: record.name,
      facility: record.facility,
      online: this.#registry.isOnline(record.id),
      enrolledAt: record.enrolledAt,
      lastSeen: record.lastSeen,
      revokedAt: record.revokedAt,
    };
  }
}
