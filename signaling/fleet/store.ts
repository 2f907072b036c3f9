import { sql, type ExpressionBuilder } from 'kysely';
import { severitiesFrom, type EventFilter, type FleetEvent } from '../../shared/protocol/fleet.ts';
import type { Device } from '../../shared/devices.ts';
import type { Severity } from '../../shared/logs.ts';
import type { ServiceReport } from '../../shared/service-data.ts';
import type { Db } from '../storage/database.ts';
import type { Database } from '../storage/schema.ts';
import type { FleetDevicesTable } from './tables.ts';

/** How long health samples and events are kept, and the most events kept in all. */
export const RETENTION = { days: 90, maxEvents: 2_000_000 } as const;

export type FleetDeviceRow = FleetDevicesTable;

/** Error and critical events of one device since some time. */
export interface ErrorStats {
  count: number;
  /** The code seen most often among them. */
  commonCode: string | null;
}

export interface EventRange {
  events: FleetEvent[];
  total: number;
  nextBefore: string | null;
}

const ERROR_SEVERITIES: Severity[] = ['error', 'critical'];
/** Rows per INSERT, well under every engine's limit on bound parameters. */
const INSERT_CHUNK = 200;

/**
 * Service data in the database: reports (once each), devices' latest facts, health
 * samples and device events. Every query here is portable SQL.
 */
export class FleetStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Stores one report in one transaction. A report seen before (same agent and `seq`)
   * changes nothing and returns 'duplicate'; the agent is acknowledged either way.
   */
  async ingest(
    agentId: string,
    report: ServiceReport,
    receivedAt: string,
  ): Promise<'stored' | 'duplicate'> {
    return this.#db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto('service_reports')
        .values({
          agent_id: agentId,
          seq: report.seq,
          created_at: report.createdAt,
          received_at: receivedAt,
          event_count: report.events.length,
          dropped_events: report.droppedEvents,
        })
        .onConflict((oc) => oc.columns(['agent_id', 'seq']).doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return 'duplicate';

      for (const { device, health } of report.devices) {
        const row: FleetDeviceRow = {
          agent_id: agentId,
          device_id: device.id,
          name: device.name,
          kind: device.kind,
          manufacturer: device.manufacturer,
          model: device.model,
          serial: device.serial,
          firmware: device.firmware,
          online: device.online ? 1 : 0,
          last_seen: device.lastSeen,
          battery_health: health.batteryHealthPct,
          charge_cycles: health.chargeCycles,
          last_calibration: health.lastCalibration,
          calibration_interval_days: health.calibrationIntervalDays,
          errors: JSON.stringify(health.errors),
          reported_at: report.createdAt,
        };
        const update: Partial<FleetDeviceRow> = { ...row };
        delete update.agent_id;
        delete update.device_id;
        // A report resent late must not overwrite what a newer one said.
        await trx
          .insertInto('fleet_devices')
          .values(row)
          .onConflict((oc) =>
            oc
              .columns(['agent_id', 'device_id'])
              .doUpdateSet(update)
              .where('fleet_devices.reported_at', '<=', report.createdAt),
          )
          .execute();
      }

      const samples = report.devices.map(({ device, health }) => ({
        agent_id: agentId,
        device_id: device.id,
        at: report.createdAt,
        battery_health: health.batteryHealthPct,
        charge_cycles: health.chargeCycles,
        errors_since_last: health.errors.reduce((sum, e) => sum + e.sinceLastReport, 0),
      }));
      if (samples.length > 0) await trx.insertInto('health_samples').values(samples).execute();

      const events = report.events.map((event) => ({
        agent_id: agentId,
        device_id: event.deviceId,
        at: event.at,
        severity: event.severity,
        code: event.code,
        text: event.text,
        redacted: event.redacted,
        report_seq: report.seq,
      }));
      for (let i = 0; i < events.length; i += INSERT_CHUNK) {
        await trx
          .insertInto('device_events')
          .values(events.slice(i, i + INSERT_CHUNK))
          .execute();
      }

      return 'stored';
    });
  }

  /** Every device any agent has reported, with its latest facts. */
  devices(): Promise<FleetDeviceRow[]> {
    return this.#db.selectFrom('fleet_devices').selectAll().execute();
  }

  device(agentId: string, deviceId: string): Promise<FleetDeviceRow | undefined> {
    return this.#db
      .selectFrom('fleet_devices')
      .selectAll()
      .where('agent_id', '=', agentId)
      .where('device_id', '=', deviceId)
      .executeTakeFirst();
  }

  /** Error and critical events per device (key `agentId device`) since `since`. */
  async errorStats(since: string): Promise<Map<string, ErrorStats>> {
    const rows = await this.#db
      .selectFrom('device_events')
      .select(['agent_id', 'device_id', 'code', (eb) => eb.fn.countAll<number>().as('n')])
      .where('at', '>=', since)
      .where('severity', 'in', ERROR_SEVERITIES)
      .groupBy(['agent_id', 'device_id', 'code'])
      .execute();

    const stats = new Map<string, ErrorStats & { top: number }>();
    for (const row of rows) {
      const key = deviceKey(row.agent_id, row.device_id);
      const entry = stats.get(key) ?? { count: 0, commonCode: null, top: 0 };
      const n = Number(row.n);
      entry.count += n;
      if (row.code && n > entry.top) Object.assign(entry, { commonCode: row.code, top: n });
      stats.set(key, entry);
    }
    return new Map([...stats].map(([key, { count, commonCode }]) => [key, { count, commonCode }]));
  }

  /**
   * The agent's devices as its newest service report described them: what the server
   * knows of an agent that is offline now (also after a server restart).
   */
  async reportedDevices(agentId: string): Promise<Device[]> {
    const rows = await this.#db
      .selectFrom('fleet_devices')
      .select(['device_id', 'name', 'kind', 'manufacturer', 'model', 'serial', 'firmware'])
      .select(['online', 'last_seen'])
      .where('agent_id', '=', agentId)
      .orderBy('name')
      .execute();
    return rows.map((row) => ({
      id: row.device_id,
      name: row.name,
      kind: row.kind,
      manufacturer: row.manufacturer,
      model: row.model,
      serial: row.serial,
      firmware: row.firmware,
      online: row.online === 1,
      lastSeen: row.last_seen,
    }));
  }

  /** Health samples of one device since `since`, oldest first (at most the newest 5000). */
  async samples(agentId: string, deviceId: string, since: string) {
    const rows = await this.#db
      .selectFrom('health_samples')
      .select(['at', 'battery_health', 'errors_since_last'])
      .where('agent_id', '=', agentId)
      .where('device_id', '=', deviceId)
      .where('at', '>=', since)
      .orderBy('at', 'desc')
      .limit(5000)
      .execute();
    return rows.reverse();
  }

  /** One page of a device's events matching `filter`, newest first. */
  async events(filter: EventFilter, limit: number, before?: string): Promise<EventRange> {
    let query = this.#db
      .selectFrom('device_events')
      .select(['id', 'at', 'severity', 'code', 'text', 'redacted'])
      .where((eb) => matches(eb, filter));
    const position = before ? parsePosition(before) : null;
    if (position) {
      query = query.where((eb) =>
        eb.or([
          eb('at', '<', position.at),
          eb.and([eb('at', '=', position.at), eb('id', '<', position.id)]),
        ]),
      );
    }

    const [rows, counted] = await Promise.all([
      query
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute(),
      this.#db
        .selectFrom('device_events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where((eb) => matches(eb, filter))
        .executeTakeFirst(),
    ]);

    const page = rows.slice(0, limit).map(toEvent);
    const last = page.at(-1);
    return {
      events: page,
      total: Number(counted?.n ?? 0),
      nextBefore: rows.length > limit && last ? `${last.at}~${last.id}` : null,
    };
  }

  /** Every event matching `filter`, oldest first, up to `max`. */
  async allEvents(filter: EventFilter, max: number): Promise<FleetEvent[]> {
    const rows = await this.#db
      .selectFrom('device_events')
      .select(['id', 'at', 'severity', 'code', 'text', 'redacted'])
      .where((eb) => matches(eb, filter))
      .orderBy('at', 'asc')
      .orderBy('id', 'asc')
      .limit(max)
      .execute();
    return rows.map(toEvent);
  }

  /** Drops samples, events and report records past retention; returns the events dropped. */
  async prune(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - RETENTION.days * 86_400_000).toISOString();
    await this.#db.deleteFrom('health_samples').where('at', '<', cutoff).execute();
    await this.#db.deleteFrom('service_reports').where('received_at', '<', cutoff).execute();
    const old = await this.#db.deleteFrom('device_events').where('at', '<', cutoff).execute();

    const newest = await this.#db
      .selectFrom('device_events')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    const keepFrom = Number(newest?.id ?? 0) - RETENTION.maxEvents;
    const excess =
      keepFrom > 0
        ? await this.#db.deleteFrom('device_events').where('id', '<=', keepFrom).execute()
        : [];

    return [...old, ...excess].reduce((sum, r) => sum + Number(r.numDeletedRows), 0);
  }
}

/** The key the overview uses for one device of one agent. */
export function deviceKey(agentId: string, deviceId: string): string {
  return `${agentId} ${deviceId}`;
}

function matches(eb: ExpressionBuilder<Database, 'device_events'>, filter: EventFilter) {
  const conditions = [eb('agent_id', '=', filter.agent), eb('device_id', '=', filter.device)];
  if (filter.severity) conditions.push(eb('severity', 'in', severitiesFrom(filter.severity)));
  if (filter.from) conditions.push(eb('at', '>=', filter.from));
  if (filter.to) conditions.push(eb('at', '<=', filter.to));
  if (filter.q) {
    const pattern = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(
      eb.or([
        eb(sql`lower(${eb.ref('text')})`, 'like', sql`${pattern} escape '\\'`),
        eb(sql`lower(${eb.ref('code')})`, 'like', sql`${pattern} escape '\\'`),
      ]),
    );
  }
  return eb.and(conditions);
}

function parsePosition(before: string): { at: string; id: number } | null {
  const [at, id] = before.split('~');
  return at && id ? { at, id: Number(id) } : null;
}

function toEvent(row: {
  id: number;
  at: string;
  severity: string;
  code: string | null;
  text: string;
  redacted: number;
}): FleetEvent {
  // Rows are written only from validated reports, so the severity is one of ours.
  return { ...row, severity: row.severity as Severity };
}
