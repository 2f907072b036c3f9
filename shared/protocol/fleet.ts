import { z } from 'zod';
import { SEVERITIES, Severity } from '../logs.ts';
import { Id, IsoTime } from './common.ts';
import { FacilityView } from './views.ts';

/**
 * The fleet dashboard's HTTP API (GET only, signed-in console users). Query parameters are
 * validated by the schemas below on the server; responses are validated by the console.
 */

export const ALERT_KINDS = [
  'battery_low',
  'error_burst',
  'firmware_behind',
  'calibration_due',
  'calibration_overdue',
] as const;
export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

/** A preemptive service alert on one device, worded for the technician. */
export const DeviceAlert = z.object({
  kind: AlertKind,
  /** `danger` needs action now; `warning` should be planned. */
  level: z.enum(['warning', 'danger']),
  /** A short badge text, e.g. "Battery 62 %". */
  label: z.string().max(60),
  /** One sentence saying what was found and what to do. */
  message: z.string().max(300),
});
export type DeviceAlert = z.infer<typeof DeviceAlert>;

/** One device as the fleet table lists it. */
export const FleetDevice = z.object({
  agentId: Id,
  agentName: z.string().max(120),
  agentOnline: z.boolean(),
  deviceId: Id,
  name: z.string().max(120),
  kind: z.string().max(60),
  manufacturer: z.string().max(80),
  model: z.string().max(80),
  serial: z.string().max(80),
  firmware: z.string().max(40),
  /** The newest firmware released for the model, when the catalogue knows one. */
  latestFirmware: z.string().max(40).nullable(),
  /** As the agent last reported it; an offline agent's devices are shown as unknown. */
  online: z.boolean(),
  lastSeen: IsoTime.nullable(),
  batteryHealthPct: z.number().min(0).max(100).nullable(),
  chargeCycles: z.number().int().nonnegative().nullable(),
  lastCalibration: z.string().max(10).nullable(),
  /** When the next calibration is due, `YYYY-MM-DD`. */
  calibrationDue: z.string().max(10).nullable(),
  /** Error and critical events in the last 24 hours. */
  errors24h: z.number().int().nonnegative(),
  alerts: z.array(DeviceAlert).max(10),
  reportedAt: IsoTime,
});
export type FleetDevice = z.infer<typeof FleetDevice>;

export const FleetFacility = FacilityView.extend({ devices: z.array(FleetDevice).max(5000) });
export type FleetFacility = z.infer<typeof FleetFacility>;

/** GET /api/fleet */
export const FleetOverview = z.object({
  generatedAt: IsoTime,
  facilities: z.array(FleetFacility).max(1000),
});
export type FleetOverview = z.infer<typeof FleetOverview>;

// Query parameters carry messages that read on after 'The "name" parameter …'.
const QueryId = z.string().min(1, 'is missing').max(80, 'is longer than 80 characters');

/** Picks one device: the agent that reports it and its ID there. */
export const DeviceQuery = z.object({ agent: QueryId, device: QueryId });
export type DeviceQuery = z.infer<typeof DeviceQuery>;

export const TrendPoint = z.object({ at: IsoTime, value: z.number() });
export type TrendPoint = z.infer<typeof TrendPoint>;

/** GET /api/fleet/device?agent=…&device=… */
export const DeviceDetail = z.object({
  device: FleetDevice,
  facility: FacilityView,
  /** Battery health % per report, oldest first. */
  batteryTrend: z.array(TrendPoint).max(5000),
  /** Error and critical events per report interval, oldest first. */
  errorTrend: z.array(TrendPoint).max(5000),
});
export type DeviceDetail = z.infer<typeof DeviceDetail>;

/** Most events one page of the viewer holds. */
export const MAX_EVENT_PAGE = 500;
/** Most events one CSV download holds. */
export const MAX_CSV_EVENTS = 50_000;

const isoInstant = z
  .string()
  .max(40)
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date and time')
  .transform((value) => new Date(value).toISOString());

/** The viewer's filters, shared by the events page and the CSV download. */
export const EventFilter = DeviceQuery.extend({
  /** Words the event text or code must contain (case-insensitive). */
  q: z.string().trim().max(200, 'is longer than 200 characters').optional(),
  /** The lowest severity shown. */
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
  from: isoInstant.optional(),
  to: isoInstant.optional(),
}).refine((f) => !f.from || !f.to || f.from <= f.to, {
  message: 'must not be later than "to"',
  path: ['from'],
});
export type EventFilter = z.infer<typeof EventFilter>;

/** GET /api/fleet/events: one page, newest first; `before` continues from a page position. */
export const EventPageQuery = z.intersection(
  EventFilter,
  z.object({
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_EVENT_PAGE, `must be at most ${MAX_EVENT_PAGE}`)
      .default(100),
    /** The `nextBefore` of the previous page. */
    before: z
      .string()
      .regex(/^[0-9TZ:.+-]{10,40}~\d{1,18}$/, 'is not a page position from this server')
      .optional(),
  }),
);
export type EventPageQuery = z.infer<typeof EventPageQuery>;

export const FleetEvent = z.object({
  id: z.number().int(),
  at: IsoTime,
  severity: Severity,
  code: z.string().max(40).nullable(),
  text: z.string().max(4000),
  redacted: z.number().int().min(0),
});
export type FleetEvent = z.infer<typeof FleetEvent>;

export const EventPage = z.object({
  events: z.array(FleetEvent).max(MAX_EVENT_PAGE),
  /** How many events match the filter in all. */
  total: z.number().int().nonnegative(),
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: z.string().max(80).nullable(),
});
export type EventPage = z.infer<typeof EventPage>;

/** Severities from `lowest` up, for "this severity and above" filters. */
export function severitiesFrom(lowest: Severity): Severity[] {
  return SEVERITIES.slice(SEVERITIES.indexOf(lowest));
}
