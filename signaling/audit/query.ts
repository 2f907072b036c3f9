import { sql, type RawBuilder } from 'kysely';
import type { AuditFilter, AuditRow } from '../../shared/protocol/audit.ts';
import { TetherError } from '../../shared/errors.ts';
import type { Db } from '../storage/database.ts';

/** One row as the query returns it, before names and facts are lifted out. */
interface JoinedRow {
  id: number;
  at: string;
  session_id: string | null;
  actor: string;
  action: string;
  detail: string;
  hash: string;
  actor_username: string | null;
  actor_role: string | null;
  agent_id: string | null;
  agent_name: string | null;
  facility_id: string | null;
  facility_name: string | null;
}

/** How many records the export reads from the database at a time. */
const EXPORT_BATCH = 500;

/**
 * Reads the server's audit ledger for the Audit area: filtered, newest first, a page at a
 * time, with the names a person reads resolved. A record belongs to a facility through its
 * session's agent, an agent that acted, or an agent or facility its detail names.
 *
 * The detail is read with SQLite's `json_extract`; another database needs its own spelling.
 */
export class AuditQuery {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** At most `limit` records older than `before` (a record ID), and the next position. */
  async page(
    filter: AuditFilter,
    limit: number,
    before?: number,
  ): Promise<{ records: AuditRow[]; nextBefore: number | null }> {
    const rows = await this.#select(await this.#conditions(filter), limit + 1, before);
    const records = rows.slice(0, limit).map(toAuditRow);
    const last = records.at(-1);

    return { records, nextBefore: rows.length > limit && last ? last.id : null };
  }

  /**
   * Every record the filter selects, newest first, read in batches so that an export of
   * the whole ledger never sits in memory at once. The filter is checked before the first
   * record is yielded, so a bad one fails before anything is sent.
   */
  async stream(filter: AuditFilter): Promise<AsyncIterable<AuditRow>> {
    const conditions = await this.#conditions(filter);
    const select = (before?: number): Promise<JoinedRow[]> =>
      this.#select(conditions, EXPORT_BATCH, before);

    return (async function* batches() {
      let before: number | undefined;
      for (;;) {
        const rows = await select(before);
        for (const row of rows) yield toAuditRow(row);
        if (rows.length < EXPORT_BATCH) return;
        before = rows.at(-1)?.id;
      }
    })();
  }

  async #select(
    conditions: RawBuilder<unknown>[],
    limit: number,
    before?: number,
  ): Promise<JoinedRow[]> {
    const where = before === undefined ? conditions : [...conditions, sql`a.id < ${before}`];
    const clause = where.length > 0 ? sql`WHERE ${sql.join(where, sql` AND `)}` : sql``;

    const result = await sql<JoinedRow>`
      SELECT a.id, a.at, a.session_id, a.actor, a.action, a.detail, a.hash,
        u.username AS actor_username, u.role AS actor_role,
        ag.id AS agent_id, ag.name AS agent_name,
        f.id AS facility_id, f.name AS facility_name
      FROM audit a
      LEFT JOIN sessions s ON s.id = a.session_id
      LEFT JOIN users u
        ON u.id = CASE WHEN a.actor LIKE 'user:%' THEN substr(a.actor, 6) END
      LEFT JOIN agents ag ON ag.id = COALESCE(
        s.agent_id,
        CASE WHEN a.actor LIKE 'agent:%' THEN substr(a.actor, 7) END,
        json_extract(a.detail, '$.agentId'))
      LEFT JOIN facilities f
        ON f.id = COALESCE(ag.facility_id, json_extract(a.detail, '$.facilityId'))
      ${clause}
      ORDER BY a.id DESC
      LIMIT ${limit}`.execute(this.#db);

    return result.rows;
  }

  /** The WHERE conditions of a filter; a technician or facility that does not exist is refused. */
  async #conditions(filter: AuditFilter): Promise<RawBuilder<unknown>[]> {
    const conditions: RawBuilder<unknown>[] = [];

    if (filter.facility !== undefined) {
      const facility = await this.#db
        .selectFrom('facilities')
        .select('id')
        .where('id', '=', filter.facility)
        .executeTakeFirst();
      if (!facility) throw new TetherError('bad_request', 'No facility has that ID.');
      conditions.push(sql`f.id = ${filter.facility}`);
    }
    if (filter.technician) {
      const user = await this.#db
        .selectFrom('users')
        .select('id')
        .where('username', '=', filter.technician)
        .executeTakeFirst();
      if (!user) {
        throw new TetherError(
          'bad_request',
          `No account has the user name "${filter.technician}".`,
        );
      }
      conditions.push(sql`(a.actor = ${`user:${user.id}`} OR s.technician_id = ${user.id})`);
    }
    if (filter.session !== undefined) conditions.push(sql`a.session_id = ${filter.session}`);
    if (filter.from !== undefined) conditions.push(sql`a.at >= ${filter.from}`);
    if (filter.to !== undefined) conditions.push(sql`a.at <= ${filter.to}`);
    if (filter.action) {
      const prefix = filter.action;
      conditions.push(sql`substr(a.action, 1, ${prefix.length}) = ${prefix}`);
    }

    return conditions;
  }
}

function toAuditRow(row: JoinedRow): AuditRow {
  const detail = parseDetail(row.detail);
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    actorName: actorName(row),
    role: actorRole(row),
    facilityId: row.facility_id,
    facilityName: row.facility_name,
    agentId: row.agent_id,
    agentName: row.agent_name,
    sessionId: row.session_id,
    action: row.action,
    capability: capabilityOf(detail),
    outcome: outcomeOf(row.action, detail),
    detail,
    hash: row.hash,
  };
}

function actorName(row: JoinedRow): string {
  if (row.actor_username !== null) return row.actor_username;
  if (row.actor.startsWith('agent:') && row.agent_name !== null) return row.agent_name;
  return row.actor;
}

function actorRole(row: JoinedRow): string | null {
  if (row.actor_role !== null) return row.actor_role;
  if (row.actor.startsWith('agent:')) return 'agent';
  return row.actor === 'system' ? 'system' : null;
}

function parseDetail(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { unreadable: text };
  }
}

/** Where the detail keeps capabilities: asked for, wanted, granted now, or refused. */
const CAPABILITY_KEYS = ['capabilities', 'wanted', 'after', 'granted', 'requested'] as const;

/** The capabilities a record is about, lifted from its detail where it names any. */
export function capabilityOf(detail: Record<string, unknown>): string[] {
  for (const key of CAPABILITY_KEYS) {
    const value = detail[key];
    if (Array.isArray(value) && value.every((c) => typeof c === 'string')) {
      return value.slice(0, 20);
    }
  }
  return [];
}

/**
 * How a record came out, in a word: a session's new state (or, for an end, why it
 * ended), a refusal's reason, the Remote access switch, or what a failed action says.
 */
export function outcomeOf(action: string, detail: Record<string, unknown>): string | null {
  const text = (key: string): string | null =>
    typeof detail[key] === 'string' ? (detail[key] as string).slice(0, 120) : null;

  if (action === 'session.transition') {
    return text('to') === 'ended' ? (text('reason') ?? 'ended') : text('to');
  }
  const stated = text('outcome') ?? text('reason') ?? text('remoteAccess');
  if (stated) return stated;
  if (/\.(failure|refused|code_failure|code_refused)$/.test(action)) return 'refused';
  return null;
}
