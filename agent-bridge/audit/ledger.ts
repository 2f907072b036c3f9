import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../identity.ts';
import type { Logger } from '../log.ts';
import {
  checkpointPayload,
  GENESIS_HASH,
  LedgerLine,
  lineHash,
  type CheckpointLine,
  type EventLine,
  type FacilityAuditEntry,
} from './record.ts';

export const LEDGER_FILE = 'audit.jsonl';

export interface FacilityLedgerOptions {
  dataDir: string;
  identity: Identity;
  /** The facility's name, as the server told it; recorded on every line. */
  facility: () => string;
  log: Logger;
  /** Sign the head after this many events… */
  checkpointEvery?: number;
  /** …or after this long with unsigned events. Default ten minutes. */
  checkpointAfterMs?: number;
}

/** How much of the file's end is read to find the last line at start. */
const TAIL_BYTES = 64 * 1024;

/**
 * The facility's own append-only audit ledger: `<dataDir>/audit.jsonl`, one hash-chained
 * line per event, and from time to time a checkpoint line in which the agent signs the
 * chain's head with its identity key. It is kept at the facility whatever the server
 * keeps, so that the facility can show who did what on its equipment. Lines are written
 * with one append each, so a crash leaves at most the last line cut short, which
 * `verifyLedger` names.
 */
export class FacilityLedger {
  readonly #file: string;
  readonly #options: FacilityLedgerOptions;
  readonly #every: number;
  #seq = 0;
  #head = GENESIS_HASH;
  #unsigned = 0;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: FacilityLedgerOptions) {
    this.#options = options;
    this.#file = join(options.dataDir, LEDGER_FILE);
    this.#every = options.checkpointEvery ?? 200;
    this.#resume();
    this.#timer = setInterval(() => this.checkpoint(), options.checkpointAfterMs ?? 10 * 60_000);
    this.#timer.unref();
  }

  get file(): string {
    return this.#file;
  }

  /** Appends one event; signs the head when enough events went unsigned. */
  append(entry: FacilityAuditEntry): EventLine | null {
    if (this.#closed) return null;

    const body: Omit<EventLine, 'hash'> = {
      kind: 'event',
      seq: this.#seq + 1,
      at: new Date().toISOString(),
      facility: this.#options.facility(),
      agent: this.#options.identity.agentId,
      actor: entry.actor,
      role: entry.role,
      action: entry.action,
      session: entry.sessionId ?? null,
      capability: entry.capability ?? [],
      outcome: entry.outcome ?? null,
      detail: entry.detail ?? {},
      prev: this.#head,
    };
    const line: EventLine = { ...body, hash: lineHash(body) };
    if (!this.#write(line)) return null;

    this.#unsigned += 1;
    if (this.#unsigned >= this.#every) this.checkpoint();
    return line;
  }

  /** Signs the head now, if any event is unsigned. */
  checkpoint(): void {
    if (this.#closed || this.#unsigned === 0) return;

    const { identity } = this.#options;
    const seq = this.#seq + 1;
    const body: Omit<CheckpointLine, 'hash'> = {
      kind: 'checkpoint',
      seq,
      at: new Date().toISOString(),
      agent: identity.agentId,
      key: identity.publicKeyBase64,
      signature: identity.sign(checkpointPayload(identity.agentId, seq, this.#head)),
      prev: this.#head,
    };
    if (this.#write({ ...body, hash: lineHash(body) })) this.#unsigned = 0;
  }

  /** Signs what is unsigned and stops the clock. */
  close(): void {
    if (this.#closed) return;
    this.checkpoint();
    this.#closed = true;
    clearInterval(this.#timer);
  }

  #write(line: LedgerLine): boolean {
    try {
      appendFileSync(this.#file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
    } catch (error) {
      this.#options.log.error({ err: error, file: this.#file }, 'audit line not written');
      return false;
    }
    this.#seq = line.seq;
    this.#head = line.hash;
    return true;
  }

  /** Picks up after the last whole line of an existing ledger. */
  #resume(): void {
    if (!existsSync(this.#file)) return;

    const lines = tailLines(this.#file);
    for (let i = lines.length - 1; i >= 0; i -= 1) {
      const parsed = LedgerLine.safeParse(safeJson(lines[i]!));
      if (!parsed.success) {
        // Kept as it is: verify names it, and the chain goes on from the last good line.
        this.#options.log.error({ file: this.#file }, 'the audit ledger holds a damaged line');
        continue;
      }
      this.#seq = parsed.data.seq;
      this.#head = parsed.data.hash;
      this.#unsigned = parsed.data.kind === 'event' ? 1 : 0;
      return;
    }
  }
}

/** The whole lines at the file's end (the first may be cut, and is then skipped). */
function tailLines(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').split('\n').filter(Boolean);
    return length < size ? lines.slice(1) : lines;
  } finally {
    closeSync(fd);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
