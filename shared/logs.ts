import { z } from 'zod';
import { Id, IsoTime } from './protocol/common.ts';

export const SEVERITIES = ['debug', 'info', 'notice', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const Severity = z.enum(SEVERITIES);

/** Where log lines come from: a simulated or real device, or a file in the drop folder. */
export const LogSource = z.object({
  id: Id,
  label: z.string().min(1).max(160),
  kind: z.enum(['device', 'file']),
  deviceId: Id.nullable(),
});
export type LogSource = z.infer<typeof LogSource>;

/** One log line as it leaves the agent. `seq` increases by one per line across all sources. */
export const LogLine = z.object({
  seq: z.number().int().nonnegative(),
  at: IsoTime,
  source: Id,
  severity: Severity,
  code: z.string().max(40).nullable(),
  text: z.string().max(4000),
  /** How many items the agent's PHI filter removed from this line (a count, never what). */
  redacted: z.number().int().min(0).max(1000),
});
export type LogLine = z.infer<typeof LogLine>;
