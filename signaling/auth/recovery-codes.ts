import { randomInt } from 'node:crypto';
import type { Db } from '../storage/database.ts';
import { nowIso, sha256Hex } from '../util.ts';

/** How many recovery codes an account gets each time two-factor sign-in is turned on. */
export const RECOVERY_CODE_COUNT = 10;

/** No 0/O, 1/I/L or 8/B, so a code read from paper is typed right the first time. */
const ALPHABET = 'ACDEFGHJKMNPQRSTUVWXYZ2345679';
const GROUP = 5;

/**
 * One recovery code: two groups of five, e.g. `K7QXM-3RTWA` (about 48 bits). Random enough
 * that a plain SHA-256 is a safe way to keep it: unlike a password, nobody can guess it
 * from a list, so a slow hash would buy nothing.
 */
export function newRecoveryCode(): string {
  const pick = (): string => ALPHABET[randomInt(ALPHABET.length)] ?? 'A';
  const group = (): string => Array.from({ length: GROUP }, pick).join('');
  return `${group()}-${group()}`;
}

/** Upper case without spaces or dashes: how a typed code is compared. */
export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** Whether text looks like a recovery code at all (rather than an app's six digits). */
export function looksLikeRecoveryCode(code: string): boolean {
  const plain = normaliseRecoveryCode(code);
  return plain.length === GROUP * 2 && [...plain].every((c) => ALPHABET.includes(c));
}

/** Recovery codes as hashes: each signs in once in place of a code from the app. */
export class RecoveryCodeStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Replaces the account's codes with a new set and returns them, the only time they exist. */
  async replace(userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    const createdAt = nowIso();

    await this.#db.transaction().execute(async (trx) => {
      await trx.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
      await trx
        .insertInto('recovery_codes')
        .values(
          codes.map((code) => ({
            code_hash: hashOf(code),
            user_id: userId,
            created_at: createdAt,
            used_at: null,
          })),
        )
        .execute();
    });

    return codes;
  }

  /** Spends the code in one conditional update; true only for the one use that wins. */
  async consume(userId: string, code: string): Promise<boolean> {
    const result = await this.#db
      .updateTable('recovery_codes')
      .set({ used_at: nowIso() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hashOf(code))
      .where('used_at', 'is', null)
      .executeTakeFirst();

    return result.numUpdatedRows === 1n;
  }

  /** How many unused codes the account has left. */
  async remaining(userId: string): Promise<number> {
    const row = await this.#db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(row?.count ?? 0);
  }

  async removeAll(userId: string): Promise<void> {
    await this.#db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  }
}

function hashOf(code: string): string {
  return sha256Hex(`recovery:${normaliseRecoveryCode(code)}`);
}
