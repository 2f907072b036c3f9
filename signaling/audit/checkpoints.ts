import { createPublicKey, verify } from 'node:crypto';
import type { Logger } from '../log.ts';
import type { AuditLedger, AuditRecord } from './ledger.ts';

/** Signs with the server's Ed25519 key (the release key agents pin at enrolment). */
export interface AuditSigner {
  publicKeyBase64: string;
  sign(payload: string): string;
}

export const CHECKPOINT_ACTION = 'audit.checkpoint';

/** What a checkpoint signs: the hash of the record before it, which covers every earlier one. */
export function serverCheckpointPayload(head: string): string {
  return `tether-server-audit/v1\n${head}`;
}

/**
 * From time to time, and when the server stops, the ledger's head is signed with the
 * server's key in a record of its own, so that a database rewritten by someone without
 * the key does not verify, even with every hash recomputed.
 */
export class AuditCheckpoints {
  readonly #ledger: AuditLedger;
  readonly #signer: AuditSigner;
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  #signedHead: string | null = null;

  constructor(ledger: AuditLedger, signer: AuditSigner, log: Logger, everyMs = 10 * 60_000) {
    this.#ledger = ledger;
    this.#signer = signer;
    this.#log = log;
    this.#timer = setInterval(() => void this.sign(), everyMs);
    this.#timer.unref();
  }

  /** Signs the head unless nothing was written since the last checkpoint. */
  async sign(): Promise<void> {
    try {
      const last = await this.#ledger.last();
      if (!last || last.action === CHECKPOINT_ACTION || last.hash === this.#signedHead) return;

      await this.#ledger.append({
        actor: 'system',
        action: CHECKPOINT_ACTION,
        detail: {
          key: this.#signer.publicKeyBase64,
          signature: this.#signer.sign(serverCheckpointPayload(last.hash)),
        },
      });
      this.#signedHead = last.hash;
    } catch (error) {
      this.#log.error({ err: error }, 'audit checkpoint not written');
    }
  }

  /** Signs what is unsigned and stops the clock. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.sign();
  }
}

/** Whether a checkpoint record's signature, by `expectedKey` if given, covers its head. */
export function checkpointHolds(record: AuditRecord, expectedKey?: string): string | null {
  const detail = record.detail as { key?: unknown; signature?: unknown };
  if (typeof detail.key !== 'string' || typeof detail.signature !== 'string') {
    return 'a checkpoint without key or signature';
  }
  if (expectedKey && detail.key !== expectedKey) return 'a checkpoint signed by another key';
  try {
    const publicKey = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(detail.key, 'base64').toString('base64url'),
      },
      format: 'jwk',
    });
    const payload = Buffer.from(serverCheckpointPayload(record.prevHash), 'utf8');
    if (verify(null, payload, publicKey, Buffer.from(detail.signature, 'base64'))) return null;
  } catch {
    // Falls through: a key or signature that does not even parse does not verify.
  }
  return 'a checkpoint signature that does not verify';
}
