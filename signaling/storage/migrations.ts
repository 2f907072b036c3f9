import type { ColumnDefinitionBuilder, Kysely, Migration, MigrationProvider } from 'kysely';
import { accountsMigration } from '../auth/migration.ts';
import { serviceDataMigration } from '../fleet/migration.ts';
import { softwareMigration } from '../software/migration.ts';

/**
 * The few schema statements that differ between database engines. The migrations below
 * stay portable and ask this object for the rest, so PostgreSQL needs only a second
 * implementation of it (identity column, a trigger function that raises).
 */
export interface DialectDdl {
  /** Turns a column into an auto-incrementing integer primary key. */
  autoIncrementKey(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Makes `table` refuse every UPDATE and DELETE, whoever issues them. */
  makeAppendOnly(db: Kysely<unknown>, table: string): Promise<void>;
}

function initial(ddl: DialectDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('users')
        .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
        .addColumn('username', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('password_hash', 'varchar(200)', (c) => c.notNull())
        .addColumn('display_name', 'varchar(120)', (c) => c.notNull())
        .addColumn('organisation', 'varchar(120)', (c) => c.notNull())
        .addColumn('role', 'varchar(20)', (c) => c.notNull())
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('web_sessions')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'varchar(80)', (c) =>
          c.notNull().references('users.id').onDelete('cascade'),
        )
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(40)', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('facilities')
        .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(120)', (c) => c.notNull().unique())
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('enrolment_tokens')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('facility_id', 'varchar(80)', (c) => c.notNull().references('facilities.id'))
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('expires_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('used_at', 'varchar(40)')
        .addColumn('used_by', 'varchar(80)')
        .execute();

      await db.schema
        .createTable('agents')
        .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
        .addColumn('public_key', 'varchar(100)', (c) => c.notNull())
        .addColumn('facility_id', 'varchar(80)', (c) => c.notNull().references('facilities.id'))
        .addColumn('name', 'varchar(120)', (c) => c.notNull())
        .addColumn('enrolled_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('last_seen', 'varchar(40)')
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
        .addColumn('agent_id', 'varchar(80)', (c) => c.notNull().references('agents.id'))
        .addColumn('technician_id', 'varchar(80)', (c) => c.notNull().references('users.id'))
        .addColumn('state', 'varchar(20)', (c) => c.notNull())
        .addColumn('end_reason', 'varchar(40)')
        .addColumn('end_detail', 'varchar(500)')
        .addColumn('reason', 'varchar(500)', (c) => c.notNull())
        .addColumn('requested', 'text', (c) => c.notNull())
        .addColumn('granted', 'text', (c) => c.notNull())
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_state').on('sessions').column('state').execute();

      await db.schema
        .createTable('audit')
        .addColumn('id', 'integer', (c) => ddl.autoIncrementKey(c))
        .addColumn('at', 'varchar(40)', (c) => c.notNull())
        .addColumn('session_id', 'varchar(80)')
        .addColumn('actor', 'varchar(120)', (c) => c.notNull())
        .addColumn('action', 'varchar(80)', (c) => c.notNull())
        .addColumn('detail', 'text', (c) => c.notNull())
        .addColumn('prev_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('hash', 'varchar(64)', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('audit_session').on('audit').column('session_id').execute();
      await ddl.makeAppendOnly(db, 'audit');
    },
  };
}

/** Every migration, in order, kept in code so that the server ships as one unit. */
export function migrationProvider(ddl: DialectDdl): MigrationProvider {
  return {
    getMigrations: async () => ({
      '0001_initial': initial(ddl),
      '0002_service_data': serviceDataMigration(ddl),
      '0003_software': softwareMigration,
      '0004_accounts': accountsMigration,
    }),
  };
}
