import type { Kysely, Migration } from 'kysely';

/** `0003_software`: packages, deliveries (jobs) with their per-device targets, licences. */
export const softwareMigration: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('software_packages')
      .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(120)', (c) => c.notNull())
      .addColumn('version', 'varchar(40)', (c) => c.notNull())
      .addColumn('kind', 'varchar(20)', (c) => c.notNull())
      .addColumn('models', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('notes', 'text', (c) => c.notNull())
      .addColumn('manifest', 'text', (c) => c.notNull())
      .addColumn('signature', 'varchar(100)', (c) => c.notNull())
      .addColumn('key_fingerprint', 'varchar(80)', (c) => c.notNull())
      .addColumn('uploaded_by', 'varchar(80)', (c) => c.notNull())
      .addColumn('uploaded_by_name', 'varchar(120)', (c) => c.notNull())
      .addColumn('uploaded_at', 'varchar(40)', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('licences')
      .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
      .addColumn('agent_id', 'varchar(80)', (c) => c.notNull().references('agents.id'))
      .addColumn('device_id', 'varchar(80)', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('signature', 'varchar(100)', (c) => c.notNull())
      .addColumn('issued_by_name', 'varchar(120)', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('software_jobs')
      .addColumn('id', 'varchar(80)', (c) => c.primaryKey())
      .addColumn('agent_id', 'varchar(80)', (c) => c.notNull().references('agents.id'))
      .addColumn('item_kind', 'varchar(20)', (c) => c.notNull())
      .addColumn('package_id', 'varchar(80)', (c) => c.references('software_packages.id'))
      .addColumn('licence_id', 'varchar(80)', (c) => c.references('licences.id'))
      .addColumn('created_by', 'varchar(80)', (c) => c.notNull())
      .addColumn('created_by_person', 'text', (c) => c.notNull())
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .addColumn('install_window', 'text')
      .execute();
    await db.schema
      .createIndex('software_jobs_agent')
      .on('software_jobs')
      .column('agent_id')
      .execute();

    await db.schema
      .createTable('software_targets')
      .addColumn('job_id', 'varchar(80)', (c) => c.notNull().references('software_jobs.id'))
      .addColumn('device_id', 'varchar(80)', (c) => c.notNull())
      .addColumn('device_name', 'varchar(120)', (c) => c.notNull())
      .addColumn('state', 'varchar(20)', (c) => c.notNull())
      .addColumn('progress', 'real')
      .addColumn('detail', 'varchar(500)')
      .addColumn('firmware', 'varchar(40)')
      .addColumn('updated_at', 'varchar(40)', (c) => c.notNull())
      .addPrimaryKeyConstraint('software_targets_pk', ['job_id', 'device_id'])
      .execute();
  },
};
