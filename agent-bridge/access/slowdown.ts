/** Wrong codes allowed in a row before each further attempt has to wait. */
export const FREE_WRONG_CODES = 3;

/** The longest wait, however many codes were wrong. */
export const MAX_WAIT_MS = 15 * 60_000;

/**
 * Slows down guessing of one-time codes, for the whole agent (not per technician: a
 * guesser could use many accounts). After three wrong codes in a row, the next attempt
 * must wait 2^n seconds after the last wrong one, n being the number of wrong codes so
 * far (8 s, 16 s, 32 s, …, at most 15 minutes). A correct code starts the count again.
 * Attempts made during a wait are refused unchecked and do not count: a technician who
 * retries too early is told to wait, not punished further.
 *
 * The count lives in memory: restarting the agent, which only someone at the facility
 * can do, clears it.
 */
export class WrongCodeSlowdown {
  #wrong = 0;
  #lastWrongAt = 0;

  /** How long the next attempt must still wait; 0 when it may be checked now. */
  waitMs(now = Date.now()): number {
    if (this.#wrong < FREE_WRONG_CODES) return 0;

    const wait = Math.min(2 ** this.#wrong * 1000, MAX_WAIT_MS);
    return Math.max(0, this.#lastWrongAt + wait - now);
  }

  /** A code was checked and was wrong. */
  wrong(now = Date.now()): void {
    this.#wrong += 1;
    this.#lastWrongAt = now;
  }

  /** A code was right: the count starts again. */
  reset(): void {
    this.#wrong = 0;
    this.#lastWrongAt = 0;
  }

  /** Wrong codes in a row so far. */
  get wrongCount(): number {
    return this.#wrong;
  }
}
