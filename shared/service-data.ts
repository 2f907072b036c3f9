import { z } from 'zod';
import { Device } from './devices.ts';
import { Severity } from './logs.ts';
import { Id, IsoTime } from './protocol/common.ts';

/**
 * Service data: what an agent reports about its facility's devices so that the fleet
 * dashboard can show their health without a session. Everything here is service facts;
 * event texts have already passed the agent's PHI filter.
 */

/** Error counts of one event code on one device. */
export const ErrorCount = z.object({
  code: z.string().min(1).max(40),
  /** Since the agent started counting (survives reports, not agent restarts). */
  total: z.number().int().nonnegative(),
  /** Since the previous report. */
  sinceLastReport: z.number().int().nonnegative(),
});
export type ErrorCount = z.infer<typeof ErrorCount>;

/**
 * One device's health as the agent knows it. Values a device does not report are null
 * (a real adapter may know the firmware but not the battery).
 */
export const DeviceHealth = z.object({
  /** Battery capacity left compared with a new battery, 0 to 100. */
  batteryHealthPct: z.number().min(0).max(100).nullable(),
  chargeCycles: z.number().int().nonnegative().nullable(),
  /** Calendar date of the last calibration, `YYYY-MM-DD`. */
  lastCalibration: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable(),
  /** How often the manufacturer asks for calibration. */
  calibrationIntervalDays: z.number().int().min(1).max(3650).nullable(),
  errors: z.array(ErrorCount).max(200),
});
export type DeviceHealth = z.infer<typeof DeviceHealth>;

/** A device's inventory facts and its health, as of one report. */
export const DeviceSnapshot = z.object({ device: Device, health: DeviceHealth });
export type DeviceSnapshot = z.infer<typeof DeviceSnapshot>;

/** One device event as the agent's log hub recorded it, after the PHI filter. */
export const ServiceEvent = z.object({
  at: IsoTime,
  deviceId: Id,
  severity: Severity,
  code: z.string().max(40).nullable(),
  text: z.string().max(4000),
  /** How many items the PHI filter removed from the line (a count, never what). */
  redacted: z.number().int().min(0).max(1000),
});
export type ServiceEvent = z.infer<typeof ServiceEvent>;

/** Most events one report carries; the agent also keeps each report under the size limit. */
export const MAX_REPORT_EVENTS = 400;

/**
 * One service report. `seq` increases by one per report for the agent's whole life
 * (it is kept on disk), so the server can ingest each report exactly once.
 */
export const ServiceReport = z.object({
  type: z.literal('service.report'),
  seq: z.number().int().min(1),
  createdAt: IsoTime,
  devices: z.array(DeviceSnapshot).max(500),
  events: z.array(ServiceEvent).max(MAX_REPORT_EVENTS),
  /** Events the agent had to drop before this report because its outbox was full. */
  droppedEvents: z.number().int().nonnegative(),
});
export type ServiceReport = z.infer<typeof ServiceReport>;

/** The server stored report `seq` (or had stored it before); the agent may forget it. */
export const ServiceAck = z.object({
  type: z.literal('service.ack'),
  seq: z.number().int().min(1),
});
export type ServiceAck = z.infer<typeof ServiceAck>;
