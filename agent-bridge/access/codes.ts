import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';

/** Digits in a code: a billion possibilities, read out in three groups of three. */
export const CODE_DIGITS = 9;

/** Codes that are no longer live, kept so that a second use can be told from a typo. */
const KEPT_ENDED = 20;
const KEEP_ENDED_MS = 24 * 60 * 60_000;

export type CodeState = 'live' | 'spent' | 'expired' | 'cancelled';

/** The live code as staff see it after the page that made it is gone: no digits. */
export interface LiveCode {
  capabilities: Capability[];
  createdAt: string;
  expiresAt: string;
}

/** A new code: the digits are returned this once and never kept. */
export interface CreatedCode extends LiveCode {
  code: string;
}

export type Redemption =
  | { ok: true; granted: Capability[] }
  | { ok: false; reason: 'wrong' | 'spent' | 'expired' | 'cancelled' }
  | { ok: false; reason: 'not_covered'; missing: Capability[] };

interface CodeRecord extends LiveCode {
  salt: Buffer;
  hash: Buffer;
  state: CodeState;
  endedAt: number;
}

/**
 * One-time codes made by staff on the consent page. At most one code is live at a time,
 * so that staff always know which code is out there and can cancel it; a new code needs
 * the old one cancelled (or used, or expired) first. The agent keeps a salted SHA-256 of
 * each code, never the digits: nothing it holds or logs can be read back as a code.
 * Ended codes are remembered for a day (the last 20), so that a technician who enters a
 * used or expired code is told so rather than that it is wrong.
 */
export class OneTimeCodes extends EventEmitter<{ change: [] }> {
  readonly #validMs: number;
  #records: CodeRecord[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { validMinutes: number }) {
    super();
    this.#validMs = options.validMinutes * 60_000;
  }

  /** Makes a code for one session with `capabilities`; refuses while one is live. */
  create(capabilities: Capability[]): CreatedCode {
    if (this.live()) {
      throw new TetherError(
        'invalid_state',
        'A one-time code is already live. Cancel it before making a new one.',
      );
    }

    const code = String(randomInt(0, 10 ** CODE_DIGITS)).padStart(CODE_DIGITS, '0');
    const salt = randomBytes(16);
    const created = Date.now();
    const record: CodeRecord = {
      capabilities: [...new Set(capabilities)],
      createdAt: new Date(created).toISOString(),
      expiresAt: new Date(created + this.#validMs).toISOString(),
      salt,
      hash: digest(salt, code),
      state: 'live',
      endedAt: 0,
    };
    this.#records.unshift(record);
    this.#timer = setTimeout(() => this.#end(record, 'expired'), this.#validMs);
    this.emit('change');

    return { code, ...view(record) };
  }

  /** Cancels the live code; says whether there was one. */
  cancel(): boolean {
    const record = this.#liveRecord();
    if (!record) return false;

    this.#end(record, 'cancelled');
    return true;
  }

  live(): LiveCode | null {
    const record = this.#liveRecord();
    return record ? view(record) : null;
  }

  /**
   * Checks `code` for a session asking for `requested`. A live code that covers the
   * request is spent at once and grants what the code allows of it. A live code that
   * covers none of it stays live: the technician asked for the wrong thing, not a wrong
   * code. Anything else says what the code was, if the agent knows it.
   */
  redeem(code: string, requested: readonly Capability[]): Redemption {
    this.#forgetOld();
    const record = this.#records.find((r) => matches(r, code));
    if (!record) return { ok: false, reason: 'wrong' };
    if (record.state === 'live' && Date.parse(record.expiresAt) <= Date.now()) {
      this.#end(record, 'expired');
    }
    if (record.state !== 'live') return { ok: false, reason: record.state };

    const missing = requested.filter((c) => !record.capabilities.includes(c));
    if (missing.length > 0) return { ok: false, reason: 'not_covered', missing };

    this.#end(record, 'spent');
    return { ok: true, granted: [...requested] };
  }

  /** Stops the expiry clock; for shutdown. */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #liveRecord(): CodeRecord | undefined {
    return this.#records.find((r) => r.state === 'live');
  }

  #end(record: CodeRecord, state: Exclude<CodeState, 'live'>): void {
    if (record.state !== 'live') return;

    record.state = state;
    record.endedAt = Date.now();
    this.dispose();
    this.emit('change');
  }

  #forgetOld(): void {
    const cutoff = Date.now() - KEEP_ENDED_MS;
    this.#records = this.#records
      .filter((r) => r.state === 'live' || r.endedAt > cutoff)
      .slice(0, KEPT_ENDED + 1);
  }
}

function digest(salt: Buffer, code: string): Buffer {
  return createHash('sha256').update(salt).update(code).digest();
}

function matches(record: CodeRecord, code: string): boolean {
  return timingSafeEqual(record.hash, digest(record.salt, code));
}

function view(record: CodeRecord): LiveCode {
  return {
    capabilities: record.capabilities,
    createdAt: record.createdAt,
    expiresAt: record.expiresAt,
  };
}
