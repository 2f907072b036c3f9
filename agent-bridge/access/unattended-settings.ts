import { z } from 'zod';
import { Capability } from '../../shared/capabilities.ts';

/** Days of the week as the policy names them, Monday first. */
export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];

const ClockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day such as 22:00 (00:00 to 23:59)');

/**
 * One maintenance window: on each of `days`, from `from` until `to`, on the facility's
 * clock. A window whose `to` is earlier than its `from` runs past midnight into the next
 * day (fri 22:00 to 02:00 ends on Saturday at two).
 */
export const MaintenanceWindow = z
  .strictObject({
    days: z.array(z.enum(DAYS)).min(1).max(7),
    from: ClockTime,
    to: ClockTime,
  })
  .refine((w) => w.from !== w.to, {
    message: 'from and to are the same time; a window needs a length (00:00 to 23:59 for a day)',
  });
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

const TimeZone = z.string().refine(isTimeZone, {
  message: 'expected a time zone name such as Europe/Berlin',
});

/**
 * `access.unattended` in the local policy: sessions that start without anyone at the
 * facility, proven by the access password facility IT set on this computer. Off unless
 * turned on; when on, only for the technicians and organisations named (naming none
 * lets nobody in), only within the maintenance windows if any are listed, and only with
 * `capabilities`.
 */
export const UnattendedSettings = z.strictObject({
  enabled: z.boolean().default(false),
  /** Technicians' user names on the server, as the console shows them. */
  technicians: z.array(z.string().min(1).max(64)).max(200).default([]),
  /** Service organisations whose technicians may all come in. */
  organisations: z.array(z.string().min(1).max(120)).max(50).default([]),
  /** When unattended sessions may start; none listed means at any time. */
  windows: z.array(MaintenanceWindow).max(50).default([]),
  /** The clock the windows are read on; left out, this computer's own time zone. */
  timeZone: TimeZone.optional(),
  /** What an unattended session is granted; a request for more is refused whole. */
  capabilities: z.array(Capability).min(1).max(10).default(['logs.read']),
});
export type UnattendedSettings = z.infer<typeof UnattendedSettings>;

/** Whether `name` is a time zone this computer knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The time zone the windows are read in: the policy's, or this computer's. */
export function facilityTimeZone(settings: UnattendedSettings): string {
  return settings.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * Why `settings` cannot work with what the rest of the policy allows, or null. Only an
 * enabled section is checked against the rest, so that a prepared but switched-off one
 * never stops the agent.
 */
export function unattendedProblem(
  settings: UnattendedSettings,
  allowed: readonly Capability[],
): string | null {
  if (!settings.enabled) return null;

  const stray = settings.capabilities.filter((c) => !allowed.includes(c));
  if (stray.length > 0) {
    return `unattended.capabilities lists ${stray.join(', ')}, which allowedCapabilities does not allow`;
  }
  return null;
}
