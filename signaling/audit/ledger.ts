import type { Selectable } from 'kysely';
import type { Db } from '../storage/database.ts';
import type { AuditTable } from '../storage/schema.ts';
import { nowIso, sha256Hex } from '../util.ts';
import { CHECKPOINT_ACTION, checkpointHolds } from './checkpoints.ts';
import { canonicalJson } from '../../shared/audit/canonical-json.ts';

/** The `prev_hash` of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** What a caller says happened; the ledger adds time and the chain. */
export interface AuditEntry {
  /** Who did it: `user:<id>`, `agent:<id>`, `system`, or `anonymous`. */
  actor: string;
  /** Dotted verb, e.g. `session.transition`, `signin.failure`, `agent.online`. */
  action: string;
  sessionId?: string | null;
  /** Facts worth keeping. Never a password, token or anything about a patient. */
  detail?: Record<string, unknown>;
}

/** One stored audit record. */
export interface AuditRecord {
  id: number;
  at: string;
  sessionId: string | null;
  actor: string;
  action: string;
  detail: unknown;
  prevHash: string;
  hash: string;
}

export type ChainCheck =
  | { ok: true; count: number; checkpoints: number }
  | { ok: false; count: number; brokenAt: number; problem: string };

/**
 * The server's append-only, hash-chained audit ledger. Each record's hash covers the
 * previous record's hash and the record itself, so removing, reordering or editing any
 * record breaks every hash after it. The database refuses UPDATE and DELETE on the table.
 */
export class AuditLedger {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Appends one record. The read of the last hash and the insert share a transaction. */
  async append(entry: AuditEntry): Promise<AuditRecord> {
    return this.#db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('audit')
        .select('hash')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();

      const prevHash = last?.hash ?? GENESIS_HASH;
      const body = {
        at: nowIso(),
        sessionId: entry.sessionId ?? null,
        actor: entry.actor,
        action: entry.action,
        detail: entry.detail ?? {},
      };
      const hash = recordHash(prevHash, body);
      const row = await trx
        .insertInto('audit')
        .values({
          at: body.at,
          session_id: body.sessionId,
          actor: body.actor,
          action: body.action,
          detail: canonicalJson(body.detail),
          prev_hash: prevHash,
          hash,
        })
        .returning('id')
        .executeTakeFirstOrThrow();

      return { id: Number(row.id), ...body, prevHash, hash };
    });
  }

  /** Records in the order they were written, optionally for one session only. */
  async list(sessionId?: string): Promise<AuditRecord[]> {
    let query = this.#db.selectFrom('audit').selectAll().orderBy('id', 'asc');
    if (sessionId !== undefined) query = query.where('session_id', '=', sessionId);
    const rows = await query.execute();

    return rows.map(toRecord);
  }

  /** The newest record, or null while the ledger is empty. */
  async last(): Promise<AuditRecord | null> {
    const row = await this.#db
      .selectFrom('audit')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /**
   * Walks the whole chain and reports the first record whose links, hash or checkpoint
   * signature (by `serverKey`, when given) do not hold.
   */
  async verify(serverKey?: string): Promise<ChainCheck> {
    const records = await this.list();
    let prevHash = GENESIS_HASH;
    let checkpoints = 0;

    for (const [index, record] of records.entries()) {
      const { at, sessionId, actor, action, detail } = record;
      if (record.prevHash !== prevHash) {
        return { ok: false, count: index, brokenAt: record.id, problem: 'link to previous' };
      }
      if (recordHash(prevHash, { at, sessionId, actor, action, detail }) !== record.hash) {
        return { ok: false, count: index, brokenAt: record.id, problem: 'record hash' };
      }
      if (record.action === CHECKPOINT_ACTION) {
        const problem = checkpointHolds(record, serverKey);
        if (problem) return { ok: false, count: index, brokenAt: record.id, problem };
        checkpoints += 1;
      }
      prevHash = record.hash;
    }

    return { ok: true, count: records.length, checkpoints };
  }
}

function toRecord(row: Selectable<AuditTable>): AuditRecord {
  return {
    id: Number(row.id),
    at: row.at,
    sessionId: row.session_id,
    actor: row.actor,
    action: row.action,
    detail: JSON.parse(row.detail) as unknown,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

function recordHash(prevHash: string, body: Record<string, unknown>): string {
  return sha256Hex(prevHash + canonicalJson(body));
}
