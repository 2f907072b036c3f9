import { z } from 'zod';
import { Id, IsoTime } from './protocol/common.ts';

/** A medical device the agent-bridge knows at its facility: service facts only, no patient data. */
export const Device = z.object({
  id: Id,
  name: z.string().min(1).max(120),
  kind: z.string().min(1).max(60),
  manufacturer: z.string().max(80),
  model: z.string().min(1).max(80),
  serial: z.string().min(1).max(80),
  firmware: z.string().min(1).max(40),
  online: z.boolean(),
  lastSeen: IsoTime.nullable(),
});
export type Device = z.infer<typeof Device>;
