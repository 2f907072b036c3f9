import type { Kysely, Migration } from 'kysely';

/**
 * `0004_accounts`: disabled accounts, two-factor sign-in (the TOTP secret encrypted, the
 * last time step used, recovery codes as hashes) and revoked agents.
 */
export const accountsMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // SQLite adds one column per ALTER TABLE.
    const userColumns: [string, 'varchar(40)' | 'varchar(300)' | 'bigint'][] = [
      ['disabled_at', 'varchar(40)'],
      ['totp_secret', 'varchar(300)'],
      ['totp_pending', 'varchar(300)'],
      ['totp_enabled_at', 'varchar(40)'],
      ['totp_last_step', 'bigint'],
    ];
    for (const [name, type] of userColumns) {
      await db.schema.alterTable('users').addColumn(name, type).execute();
    }

    await db.schema
      .createTable('recovery_codes')
      .addColumn('code_hash', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(80)', (c) =>
        c.notNull().references('users.id').onDelete('cascade'),
      )
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('used_at', 'varchar(40)')
      .execute();
    await db.schema
      .createIndex('recovery_codes_user')
      .on('recovery_codes')
      .column('user_id')
      .execute();

    await db.schema.alterTable('agents').addColumn('revoked_at', 'varchar(40)').execute();
    await db.schema.alterTable('agents').addColumn('revoked_by', 'varchar(80)').execute();
  },
};
