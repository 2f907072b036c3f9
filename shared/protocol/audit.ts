import { z } from 'zod';
import { Id, IsoTime } from './common.ts';

/**
 * The console's Audit area and the server's audit API: the server's ledger read with
 * filters, a page at a time (newest first), exported as CSV or JSON Lines, and its chain
 * check. Administrators only.
 */

/** The most records one page may hold. */
export const MAX_AUDIT_PAGE = 500;

const isoInstant = z
  .string()
  .max(40)
  .refine((value) => !Number.isNaN(Date.parse(value)), 'must be a date and time')
  .transform((value) => new Date(value).toISOString());

/** The filters shared by a page, the export, and the console's filter bar. */
export const AuditFilter = z
  .object({
    /** A facility's ID: records about its agents and their sessions. */
    facility: Id.optional(),
    /** A user name: what that person did, and every record of the sessions they ran. */
    technician: z.string().trim().max(64, 'is longer than 64 characters').optional(),
    session: Id.optional(),
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    /** The start of the action, e.g. `session.` or `signin.failure`. */
    action: z
      .string()
      .trim()
      .max(64, 'is longer than 64 characters')
      .regex(/^[a-z0-9_.]+$/, 'may hold only lower-case letters, digits, "_" and "."')
      .optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    message: 'must not be later than "to"',
    path: ['from'],
  });
export type AuditFilter = z.infer<typeof AuditFilter>;

/** GET /api/audit: one page; `before` is the `nextBefore` of the page before. */
export const AuditPageQuery = z.intersection(
  AuditFilter,
  z.object({
    limit: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_AUDIT_PAGE, `must be at most ${MAX_AUDIT_PAGE}`)
      .default(100),
    before: z.coerce
      .number({ error: 'is not a page position from this server' })
      .int('is not a page position from this server')
      .min(1, 'is not a page position from this server')
      .optional(),
  }),
);
export type AuditPageQuery = z.infer<typeof AuditPageQuery>;

export const AUDIT_EXPORT_FORMATS = ['csv', 'jsonl'] as const;

/** GET /api/audit/export: every record the filter selects, newest first. */
export const AuditExportQuery = z.intersection(
  AuditFilter,
  z.object({
    format: z.enum(AUDIT_EXPORT_FORMATS, { error: 'must be csv or jsonl' }),
  }),
);
export type AuditExportQuery = z.infer<typeof AuditExportQuery>;

/** One record of the server's ledger, with the names a person reads. */
export const AuditRow = z.object({
  id: z.number().int(),
  at: IsoTime,
  /** As stored: `user:<id>`, `agent:<id>`, `system` or `anonymous`. */
  actor: z.string().max(120),
  /** The account's user name, the agent's name, or the actor as stored. */
  actorName: z.string().max(120),
  /** The account's role, `agent` or `system`; null for anyone not signed in. */
  role: z.string().max(20).nullable(),
  facilityId: Id.nullable(),
  facilityName: z.string().max(120).nullable(),
  agentId: Id.nullable(),
  agentName: z.string().max(120).nullable(),
  sessionId: Id.nullable(),
  action: z.string().max(120),
  /** The capabilities the record is about, where its detail names any. */
  capability: z.array(z.string().max(40)).max(20),
  /** How it came out, where the detail says: `approved`, `ended_by_technician`, … */
  outcome: z.string().max(120).nullable(),
  detail: z.unknown(),
  hash: z.string().max(64),
});
export type AuditRow = z.infer<typeof AuditRow>;

export const AuditPage = z.object({
  records: z.array(AuditRow).max(MAX_AUDIT_PAGE),
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;

/** GET /api/audit/chain: whether every record still links and every checkpoint verifies. */
export const AuditChain = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), count: z.number().int(), checkpoints: z.number().int() }),
  z.object({
    ok: z.literal(false),
    /** How many records before the broken one hold. */
    count: z.number().int(),
    brokenAt: z.number().int(),
    problem: z.string().max(200),
  }),
]);
export type AuditChain = z.infer<typeof AuditChain>;
