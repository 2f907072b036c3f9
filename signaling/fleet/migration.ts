import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely';

/** The one engine-specific statement these tables need (see `DialectDdl` in storage). */
interface KeyDdl {
  autoIncrementKey(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

/** `0002_service_data`: reports received, devices' latest health, health samples, events. */
export function serviceDataMigration(ddl: KeyDdl): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('service_reports')
        .addColumn('agent_id', 'varchar(80)', (c) => c.notNull().references('agents.id'))
        .addColumn('seq', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('received_at', 'varchar(40)', (c) => c.notNull())
        .addColumn('event_count', 'integer', (c) => c.notNull())
        .addColumn('dropped_events', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('service_reports_pk', ['agent_id', 'seq'])
        .execute();
      await db.schema
        .createIndex('service_reports_received')
        .on('service_reports')
        .column('received_at')
        .execute();

      await db.schema
        .createTable('fleet_devices')
        .addColumn('agent_id', 'varchar(80)', (c) => c.notNull().references('agents.id'))
        .addColumn('device_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('name', 'varchar(120)', (c) => c.notNull())
        .addColumn('kind', 'varchar(60)', (c) => c.notNull())
        .addColumn('manufacturer', 'varchar(80)', (c) => c.notNull())
        .addColumn('model', 'varchar(80)', (c) => c.notNull())
        .addColumn('serial', 'varchar(80)', (c) => c.notNull())
        .addColumn('firmware', 'varchar(40)', (c) => c.notNull())
        .addColumn('online', 'integer', (c) => c.notNull())
        .addColumn('last_seen', 'varchar(40)')
        .addColumn('battery_health', 'real')
        .addColumn('charge_cycles', 'integer')
        .addColumn('last_calibration', 'varchar(10)')
        .addColumn('calibration_interval_days', 'integer')
        .addColumn('errors', 'text', (c) => c.notNull())
        .addColumn('reported_at', 'varchar(40)', (c) => c.notNull())
        .addPrimaryKeyConstraint('fleet_devices_pk', ['agent_id', 'device_id'])
        .execute();

      await db.schema
        .createTable('health_samples')
        .addColumn('id', 'integer', (c) => ddl.autoIncrementKey(c))
        .addColumn('agent_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('device_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('at', 'varchar(40)', (c) => c.notNull())
        .addColumn('battery_health', 'real')
        .addColumn('charge_cycles', 'integer')
        .addColumn('errors_since_last', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('health_samples_device')
        .on('health_samples')
        .columns(['agent_id', 'device_id', 'at'])
        .execute();

      await db.schema
        .createTable('device_events')
        .addColumn('id', 'integer', (c) => ddl.autoIncrementKey(c))
        .addColumn('agent_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('device_id', 'varchar(80)', (c) => c.notNull())
        .addColumn('at', 'varchar(40)', (c) => c.notNull())
        .addColumn('severity', 'varchar(10)', (c) => c.notNull())
        .addColumn('code', 'varchar(40)')
        .addColumn('text', 'text', (c) => c.notNull())
        .addColumn('redacted', 'integer', (c) => c.notNull())
        .addColumn('report_seq', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('device_events_device')
        .on('device_events')
        .columns(['agent_id', 'device_id', 'at'])
        .execute();
      await db.schema.createIndex('device_events_at').on('device_events').column('at').execute();
    },
  };
}
