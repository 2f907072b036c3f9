import type { Generated } from 'kysely';

/**
 * Table shapes of service data, as Kysely sees them (listed in `storage/schema.ts`).
 * Times are ISO-8601 strings, flags 0 or 1 and lists JSON text, as everywhere else.
 */

/** One report per agent and sequence number: the record that makes ingest idempotent. */
export interface ServiceReportsTable {
  agent_id: string;
  seq: number;
  created_at: string;
  received_at: string;
  event_count: number;
  dropped_events: number;
}

/** Each device's latest inventory facts and health, from its agent's newest report. */
export interface FleetDevicesTable {
  agent_id: string;
  device_id: string;
  name: string;
  kind: string;
  manufacturer: string;
  model: string;
  serial: string;
  firmware: string;
  /** 1 while the agent reported the device reachable. */
  online: number;
  last_seen: string | null;
  battery_health: number | null;
  charge_cycles: number | null;
  /** `YYYY-MM-DD`. */
  last_calibration: string | null;
  calibration_interval_days: number | null;
  /** JSON array of `ErrorCount`. */
  errors: string;
  reported_at: string;
}

/** One device's health as of one report: the trend charts' data. */
export interface HealthSamplesTable {
  id: Generated<number>;
  agent_id: string;
  device_id: string;
  at: string;
  battery_health: number | null;
  charge_cycles: number | null;
  /** Error and critical events since the previous report. */
  errors_since_last: number;
}

/** Device events as the agent reported them, after its PHI filter. */
export interface DeviceEventsTable {
  id: Generated<number>;
  agent_id: string;
  device_id: string;
  at: string;
  severity: string;
  code: string | null;
  text: string;
  redacted: number;
  report_seq: number;
}
