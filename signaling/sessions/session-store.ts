import type { Capability } from '../../shared/capabilities.ts';
import type { SessionView } from '../../shared/protocol/views.ts';
import { SessionMachine, type EndReason, type SessionState } from '../../shared/session-machine.ts';
import type { Db } from '../storage/database.ts';
import type { OpenSession } from './open-session.ts';

/** Sessions in the database: a row per session, rewritten on every transition. */
export class SessionStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async insert(view: SessionView, technicianId: string): Promise<void> {
    await this.#db
      .insertInto('sessions')
      .values({
        id: view.id,
        agent_id: view.agentId,
        technician_id: technicianId,
        state: view.state,
        end_reason: view.endReason,
        end_detail: view.endDetail,
        reason: view.reason,
        requested: JSON.stringify(view.requested),
        granted: JSON.stringify(view.granted),
        created_at: view.createdAt,
        updated_at: view.updatedAt,
      })
      .execute();
  }

  /** Writes the fields a transition can change. */
  async saveState(view: SessionView): Promise<void> {
    await this.#db
      .updateTable('sessions')
      .set({
        state: view.state,
        end_reason: view.endReason,
        end_detail: view.endDetail,
        requested: JSON.stringify(view.requested),
        granted: JSON.stringify(view.granted),
        updated_at: view.updatedAt,
      })
      .where('id', '=', view.id)
      .execute();
  }

  /** Sessions not yet ended, rebuilt with their machines in the stored state. */
  async listOpen(): Promise<OpenSession[]> {
    const rows = await this.#db
      .selectFrom('sessions')
      .innerJoin('agents', 'agents.id', 'sessions.agent_id')
      .innerJoin('facilities', 'facilities.id', 'agents.facility_id')
      .innerJoin('users', 'users.id', 'sessions.technician_id')
      .selectAll('sessions')
      .select([
        'agents.name as agent_name',
        'facilities.id as facility_id',
        'facilities.name as facility_name',
        'users.username',
        'users.display_name',
        'users.organisation',
      ])
      .where('sessions.state', '<>', 'ended')
      .orderBy('sessions.created_at')
      .execute();

    return rows.map((row) => ({
      id: row.id,
      agentId: row.agent_id,
      agentName: row.agent_name,
      facility: { id: row.facility_id, name: row.facility_name },
      technicianId: row.technician_id,
      technician: {
        username: row.username,
        displayName: row.display_name,
        organisation: row.organisation,
      },
      reason: row.reason,
      requested: JSON.parse(row.requested) as Capability[],
      granted: JSON.parse(row.granted) as Capability[],
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      endDetail: row.end_detail,
      machine: new SessionMachine(
        row.state as SessionState,
        (row.end_reason ?? undefined) as EndReason | undefined,
      ),
      attempt: 0,
      queue: Promise.resolve(),
    }));
  }
}
