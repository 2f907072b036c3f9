import { TetherError } from '../../shared/errors.ts';
import {
  MAX_CSV_EVENTS,
  type DeviceDetail,
  type DeviceQuery,
  type EventFilter,
  type EventPage,
  type EventPageQuery,
  type FleetDevice,
  type FleetOverview,
} from '../../shared/protocol/fleet.ts';
import type { ServiceReport } from '../../shared/service-data.ts';
import type { AgentRecord, AgentStore } from '../agents/agent-store.ts';
import type { AgentRegistry } from '../agents/registry.ts';
import type { Logger } from '../log.ts';
import { ALERT_RULES, calibrationDueDate, deviceAlerts } from './alerts.ts';
import type { FirmwareCatalog } from './catalog.ts';
import { eventsCsv } from './csv.ts';
import { deviceKey, type ErrorStats, type FleetDeviceRow, type FleetStore } from './store.ts';

export interface FleetServiceDeps {
  store: FleetStore;
  agents: AgentStore;
  registry: AgentRegistry;
  catalog: FirmwareCatalog;
  log: Logger;
}

const DAY_MS = 86_400_000;
/** How far back the trend charts reach. */
const TREND_DAYS = 30;

/**
 * Service data for the fleet dashboard: stores what agents report and answers the
 * console's questions about it, with the preemptive alerts worked out on the way.
 */
export class FleetService {
  readonly #deps: FleetServiceDeps;

  constructor(deps: FleetServiceDeps) {
    this.#deps = deps;
  }

  /** Stores one report from a proven agent; safe to call again with the same report. */
  async ingest(agentId: string, report: ServiceReport): Promise<void> {
    const { store, log } = this.#deps;
    const outcome = await store.ingest(agentId, report, new Date().toISOString());

    if (report.droppedEvents > 0 && outcome === 'stored') {
      log.warn(
        { agentId, seq: report.seq, dropped: report.droppedEvents },
        'agent dropped device events before this report (its outbox was full)',
      );
    }
    log.debug(
      { agentId, seq: report.seq, events: report.events.length, outcome },
      'service report',
    );
  }

  /** Facilities, each with every device its agents reported. */
  async overview(now = new Date()): Promise<FleetOverview> {
    const { store, agents } = this.#deps;
    const [records, rows, burst, day] = await Promise.all([
      agents.list(),
      store.devices(),
      store.errorStats(ago(now, ALERT_RULES.burstWindowMinutes * 60_000)),
      store.errorStats(ago(now, DAY_MS)),
    ]);
    const byAgent = new Map(records.map((record) => [record.id, record]));
    const latest = await this.#latestFirmware(rows);

    const facilities = new Map<string, FleetOverview['facilities'][number]>();
    for (const record of records) {
      if (!facilities.has(record.facility.id)) {
        facilities.set(record.facility.id, { ...record.facility, devices: [] });
      }
    }
    for (const row of rows) {
      const record = byAgent.get(row.agent_id);
      if (!record) continue;
      const key = deviceKey(row.agent_id, row.device_id);
      const device = this.#view(row, record, latest.get(row.model) ?? null, burst.get(key), day);
      facilities.get(record.facility.id)?.devices.push(device);
    }

    return { generatedAt: now.toISOString(), facilities: [...facilities.values()] };
  }

  /** One device with its trend series; `not_found` when no agent reported it. */
  async detail(query: DeviceQuery, now = new Date()): Promise<DeviceDetail> {
    const { store, agents } = this.#deps;
    const [record, row] = await Promise.all([
      agents.get(query.agent),
      store.device(query.agent, query.device),
    ]);
    if (!record || !row) throw new TetherError('not_found', 'No agent reports this device.');

    const key = deviceKey(row.agent_id, row.device_id);
    const [burst, day, latest, samples] = await Promise.all([
      store.errorStats(ago(now, ALERT_RULES.burstWindowMinutes * 60_000)),
      store.errorStats(ago(now, DAY_MS)),
      this.#latestFirmware([row]),
      store.samples(row.agent_id, row.device_id, ago(now, TREND_DAYS * DAY_MS)),
    ]);

    return {
      device: this.#view(row, record, latest.get(row.model) ?? null, burst.get(key), day),
      facility: record.facility,
      batteryTrend: samples
        .filter((s) => s.battery_health !== null)
        .map((s) => ({ at: s.at, value: s.battery_health ?? 0 })),
      errorTrend: samples.map((s) => ({ at: s.at, value: s.errors_since_last })),
    };
  }

  /** One page of a device's events. */
  async events(query: EventPageQuery): Promise<EventPage> {
    return this.#deps.store.events(query, query.limit, query.before);
  }

  /** The filtered events as CSV text, oldest first, and how many rows it holds. */
  async csv(filter: EventFilter): Promise<{ text: string; rows: number }> {
    const events = await this.#deps.store.allEvents(filter, MAX_CSV_EVENTS);
    return { text: eventsCsv(events), rows: events.length };
  }

  #view(
    row: FleetDeviceRow,
    record: AgentRecord,
    latestFirmware: string | null,
    burst: ErrorStats | undefined,
    day: Map<string, ErrorStats>,
  ): FleetDevice {
    const agentOnline = this.#deps.registry.isOnline(row.agent_id);
    const facts = {
      model: row.model,
      firmware: row.firmware,
      latestFirmware,
      batteryHealthPct: row.battery_health,
      lastCalibration: row.last_calibration,
      calibrationIntervalDays: row.calibration_interval_days,
      recentErrors: burst?.count ?? 0,
      commonCode: burst?.commonCode ?? null,
    };

    return {
      agentId: row.agent_id,
      agentName: record.name,
      agentOnline,
      deviceId: row.device_id,
      name: row.name,
      kind: row.kind,
      manufacturer: row.manufacturer,
      model: row.model,
      serial: row.serial,
      firmware: row.firmware,
      latestFirmware,
      online: agentOnline && row.online === 1,
      lastSeen: row.last_seen,
      batteryHealthPct: row.battery_health,
      chargeCycles: row.charge_cycles,
      lastCalibration: row.last_calibration,
      calibrationDue: calibrationDueDate(row.last_calibration, row.calibration_interval_days),
      errors24h: day.get(deviceKey(row.agent_id, row.device_id))?.count ?? 0,
      alerts: deviceAlerts(facts),
      reportedAt: row.reported_at,
    };
  }

  /** The catalogue's current release per model; a failing catalogue means "not known". */
  async #latestFirmware(rows: FleetDeviceRow[]): Promise<Map<string, string | null>> {
    const models = [...new Set(rows.map((row) => row.model))];
    const answers = await Promise.all(
      models.map((model) =>
        this.#deps.catalog.latest(model).catch((error: unknown) => {
          this.#deps.log.warn({ err: error, model }, 'firmware catalogue failed');
          return null;
        }),
      ),
    );
    return new Map(models.map((model, i) => [model, answers[i] ?? null]));
  }
}

function ago(now: Date, ms: number): string {
  return new Date(now.getTime() - ms).toISOString();
}
