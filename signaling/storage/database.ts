import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import type { Logger } from '../log.ts';
import { migrationProvider, type DialectDdl } from './migrations.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/** SQLite's side of the few engine-specific statements: AUTOINCREMENT and RAISE triggers. */
const sqliteDdl: DialectDdl = {
  autoIncrementKey: (col) => col.primaryKey().autoIncrement(),
  async makeAppendOnly(db, table) {
    for (const op of ['UPDATE', 'DELETE']) {
      const name = sql.id(`${table}_no_${op.toLowerCase()}`);
      const message = sql.lit(`${table} is append-only`);
      await sql`CREATE TRIGGER ${name} BEFORE ${sql.raw(op)} ON ${sql.table(table)}
        BEGIN SELECT RAISE(ABORT, ${message}); END`.execute(db);
    }
  },
};

/** The database's file name inside the data folder. */
export const DATABASE_FILE = 'tether.db';

/**
 * Opens `<dataDir>/tether.db` (WAL mode, foreign keys on) and brings its schema up to date.
 * This is the only place that knows the engine is SQLite.
 */
export async function openDatabase(dataDir: string, log: Logger): Promise<Db> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATABASE_FILE);
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: migrationProvider(sqliteDdl) });
  const { error, results } = await migrator.migrateToLatest();
  for (const result of results ?? []) {
    if (result.status === 'Success') log.info({ migration: result.migrationName }, 'migrated');
  }
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(String(error));
  }

  log.debug({ file }, 'database open');
  return db;
}
