import { TetherError } from '../../shared/errors.ts';
import { agentIdFromPublicKey, enrolmentPayload } from '../../shared/identity.ts';
import type { EnrolRequest, EnrolResponse } from '../../shared/protocol/http.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../storage/database.ts';
import { nowIso, randomToken, sha256Hex } from '../util.ts';
import type { AgentStore } from './agent-store.ts';
import { decodeRawPublicKey, verifyEd25519 } from './ed25519.ts';
import type { FacilityStore } from './facilities.ts';

const DEFAULT_TOKEN_TTL_MS = 24 * 60 * 60_000;
const INVALID = 'This enrolment token is not valid. Ask an administrator for a new one.';
const REVOKED =
  'An administrator revoked this agent. To enrol it again, delete identity.key and enrolment.json in its data folder so that it makes a new identity, and use a new token.';

/**
 * Binds an agent's public key to a facility. An administrator makes a one-time token for
 * the facility; the agent proves it holds the private key by signing the token with it.
 */
export class EnrolmentService {
  readonly #db: Db;
  readonly #agents: AgentStore;
  readonly #facilities: FacilityStore;
  readonly #audit: AuditLedger;
  readonly #log: Logger;
  readonly #releaseKey: string;

  constructor(deps: {
    db: Db;
    agents: AgentStore;
    facilities: FacilityStore;
    audit: AuditLedger;
    log: Logger;
    /** Base64 of the release public key, handed to each agent it enrols to pin. */
    releaseKey: string;
  }) {
    this.#db = deps.db;
    this.#agents = deps.agents;
    this.#facilities = deps.facilities;
    this.#audit = deps.audit;
    this.#log = deps.log;
    this.#releaseKey = deps.releaseKey;
  }

  /**
   * A fresh single-use token for `facilityId`, and when it expires. Only its hash is
   * stored. `actor` is who asked, for the audit ledger (`system` for scripts).
   */
  async createToken(
    facilityId: string,
    ttlMs = DEFAULT_TOKEN_TTL_MS,
    actor = 'system',
  ): Promise<{ token: string; expiresAt: string }> {
    if (!(await this.#facilities.get(facilityId))) {
      throw new TetherError('not_found', `No facility with ID ${facilityId}.`);
    }

    const token = randomToken();
    const now = Date.now();
    const expiresAt = new Date(now + ttlMs).toISOString();
    await this.#db
      .insertInto('enrolment_tokens')
      .values({
        token_hash: sha256Hex(token),
        facility_id: facilityId,
        created_at: new Date(now).toISOString(),
        expires_at: expiresAt,
        used_at: null,
        used_by: null,
      })
      .execute();
    await this.#audit.append({
      actor,
      action: 'enrolment.token_created',
      detail: { facilityId, expiresAt },
    });

    return { token, expiresAt };
  }

  /** Checks the signature, spends the token and records the agent. */
  async enrol(request: EnrolRequest): Promise<EnrolResponse> {
    const rawKey = decodeRawPublicKey(request.publicKey);
    const payload = enrolmentPayload(request.token, request.publicKey);
    if (!rawKey || !verifyEd25519(rawKey, payload, request.signature)) {
      this.#log.warn('enrolment refused: signature does not verify');
      throw new TetherError('enrolment_invalid', INVALID);
    }

    const agentId = await agentIdFromPublicKey(new Uint8Array(rawKey));
    if ((await this.#agents.get(agentId))?.revokedAt) {
      // Revocation is for the key: a revoked agent comes back only with a new identity.
      this.#log.warn({ agentId }, 'enrolment refused: the agent was revoked');
      throw new TetherError('enrolment_invalid', REVOKED);
    }
    const facilityId = await this.#spendToken(request.token, agentId);
    const facility = await this.#facilities.get(facilityId);
    if (!facility) throw new TetherError('enrolment_invalid', INVALID);

    await this.#agents.upsert({
      id: agentId,
      publicKey: rawKey.toString('base64'),
      facilityId,
      name: request.name,
      enrolledAt: nowIso(),
    });
    await this.#audit.append({
      actor: `agent:${agentId}`,
      action: 'agent.enrolled',
      detail: { facilityId, name: request.name },
    });
    this.#log.info({ agentId, facilityId, name: request.name }, 'agent enrolled');

    return { agentId, facility, releaseKey: this.#releaseKey };
  }

  /** Marks the token used in one conditional update, so two racing uses cannot both win. */
  async #spendToken(token: string, agentId: string): Promise<string> {
    const tokenHash = sha256Hex(token);
    const now = nowIso();
    const result = await this.#db
      .updateTable('enrolment_tokens')
      .set({ used_at: now, used_by: agentId })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();

    const row = await this.#db
      .selectFrom('enrolment_tokens')
      .select(['facility_id', 'used_at'])
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (result.numUpdatedRows === 1n && row) return row.facility_id;

    const problem = !row
      ? 'unknown token'
      : row.used_at !== null
        ? 'token already used'
        : 'expired';
    this.#log.warn({ agentId, problem }, 'enrolment refused');
    throw new TetherError('enrolment_invalid', INVALID);
  }
}
