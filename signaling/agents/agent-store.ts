import type { FacilityView } from '../../shared/protocol/views.ts';
import type { Db } from '../storage/database.ts';

/** An enrolled agent as stored, with its facility. */
export interface AgentRecord {
  id: string;
  name: string;
  /** Base64 of the raw Ed25519 public key. */
  publicKey: string;
  facility: FacilityView;
  enrolledAt: string;
  lastSeen: string | null;
  /** When an administrator revoked it; its key is refused from then on. */
  revokedAt: string | null;
}

/** Enrolled agents in the database. Who is online right now lives in `AgentRegistry`. */
export class AgentStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Binds the agent's key to a facility; enrolling again updates facility and name. */
  async upsert(agent: {
    id: string;
    publicKey: string;
    facilityId: string;
    name: string;
    enrolledAt: string;
  }): Promise<void> {
    const row = {
      id: agent.id,
      public_key: agent.publicKey,
      facility_id: agent.facilityId,
      name: agent.name,
      enrolled_at: agent.enrolledAt,
    };
    await this.#db
      .insertInto('agents')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          public_key: row.public_key,
          facility_id: row.facility_id,
          name: row.name,
          enrolled_at: row.enrolled_at,
        }),
      )
      .execute();
  }

  async get(id: string): Promise<AgentRecord | undefined> {
    const rows = await this.#query().where('agents.id', '=', id).execute();
    return rows.map(toRecord)[0];
  }

  /** Every agent that is enrolled and not revoked, by facility and then name. */
  async list(): Promise<AgentRecord[]> {
    const rows = await this.#query()
      .where('agents.revoked_at', 'is', null)
      .orderBy('facilities.name')
      .orderBy('agents.name')
      .orderBy('agents.id')
      .execute();
    return rows.map(toRecord);
  }

  /** Every agent ever enrolled, revoked ones included, for the Administration area. */
  async listAll(): Promise<AgentRecord[]> {
    const rows = await this.#query()
      .orderBy('facilities.name')
      .orderBy('agents.name')
      .orderBy('agents.id')
      .execute();
    return rows.map(toRecord);
  }

  /** Marks the agent revoked; false when it is unknown or was revoked already. */
  async revoke(id: string, by: string, at: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('agents')
      .set({ revoked_at: at, revoked_by: by })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async touchLastSeen(id: string, at: string): Promise<void> {
    await this.#db.updateTable('agents').set({ last_seen: at }).where('id', '=', id).execute();
  }

  #query() {
    return this.#db
      .selectFrom('agents')
      .innerJoin('facilities', 'facilities.id', 'agents.facility_id')
      .select([
        'agents.id',
        'agents.name',
        'agents.public_key',
        'agents.enrolled_at',
        'agents.last_seen',
        'agents.revoked_at',
        'facilities.id as facility_id',
        'facilities.name as facility_name',
      ]);
  }
}

function toRecord(row: {
  id: string;
  name: string;
  public_key: string;
  enrolled_at: string;
  last_seen: string | null;
  revoked_at: string | null;
  facility_id: string;
  facility_name: string;
}): AgentRecord {
  return {
    id: row.id,
    name: row.name,
    publicKey: row.public_key,
    facility: { id: row.facility_id, name: row.facility_name },
    enrolledAt: row.enrolled_at,
    lastSeen: row.last_seen,
    revokedAt: row.revoked_at,
  };
}
