import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../shared/audit/canonical-json.ts';

/**
 * The facility's audit records, one JSON object per line of `audit.jsonl`. Each carries
 * the hash of the line before it (`prev`) and its own `hash` over everything else, so an
 * edited, removed or reordered line breaks the chain from there on. Checkpoint lines sign
 * the chain's head with the agent's identity key, so that a ledger rewritten from scratch
 * by someone without the key is told apart from the real one.
 */

/** The `prev` of the first line. */
export const GENESIS_HASH = '0'.repeat(64);

/** Who acted, as far as the facility can tell. */
export const AuditRole = z.enum(['staff', 'technician', 'expert', 'agent', 'system']);
export type AuditRole = z.infer<typeof AuditRole>;

/** What a caller says happened; the ledger adds the rest. */
export interface FacilityAuditEntry {
  /** `staff` (someone at the consent page), `technician:<user name>`, `agent`, `system`. */
  actor: string;
  role: AuditRole;
  /** Dotted verb: `session.requested`, `consent.approved`, `capability.granted`, … */
  action: string;
  sessionId?: string | null;
  /** The capabilities the action was about, if any. */
  capability?: string[];
  /** How it came out, in a word or two: `approved`, `denied`, `refused`, `ended`, … */
  outcome?: string;
  /** Facts worth keeping. Never anything about a patient. */
  detail?: Record<string, unknown>;
}

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const EventLine = z.strictObject({
  kind: z.literal('event'),
  seq: z.number().int().min(1),
  at: z.string(),
  facility: z.string(),
  agent: z.string(),
  actor: z.string(),
  role: AuditRole,
  action: z.string(),
  session: z.string().nullable(),
  capability: z.array(z.string()),
  outcome: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  prev: Hex64,
  hash: Hex64,
});
export type EventLine = z.infer<typeof EventLine>;

/** The agent's signature over the chain's head: every line before this one. */
export const CheckpointLine = z.strictObject({
  kind: z.literal('checkpoint'),
  seq: z.number().int().min(1),
  at: z.string(),
  agent: z.string(),
  /** Base64 of the raw Ed25519 public key that signed it. */
  key: z.string(),
  signature: z.string(),
  prev: Hex64,
  hash: Hex64,
});
export type CheckpointLine = z.infer<typeof CheckpointLine>;

export const LedgerLine = z.discriminatedUnion('kind', [EventLine, CheckpointLine]);
export type LedgerLine = z.infer<typeof LedgerLine>;

/** The hash of a line: over the previous hash and every field but `hash`. */
export function lineHash(line: Omit<LedgerLine, 'hash'>): string {
  return createHash('sha256').update(canonicalJson(line), 'utf8').digest('hex');
}

/** What a checkpoint signs: the agent, the position and the head it vouches for. */
export function checkpointPayload(agent: string, seq: number, head: string): string {
  return `tether-facility-audit/v1\n${agent}\n${seq}\n${head}`;
}
