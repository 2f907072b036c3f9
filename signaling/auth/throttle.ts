/** Failures allowed before the slowdown starts. */
const FREE_FAILURES = 5;
const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
/** A key with no failure for this long starts afresh. */
const FORGET_AFTER_MS = 15 * 60_000;
/** Bounds memory when someone sprays many names or addresses. */
const MAX_KEYS = 10_000;

interface Entry {
  failures: number;
  lastFailure: number;
}

/**
 * Slows password guessing per user name and client address: after a few failures, each
 * further attempt must wait twice as long as the last, up to a minute. It lives in memory,
 * so it resets on restart and is per node; that is enough to make online guessing slow.
 */
export class SignInThrottle {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds until the next attempt is allowed for this key; 0 means go ahead. */
  waitMs(username: string, ip: string): number {
    const entry = this.#fresh(key(username, ip));
    if (!entry || entry.failures < FREE_FAILURES) return 0;

    const delay = Math.min(BASE_DELAY_MS * 2 ** (entry.failures - FREE_FAILURES), MAX_DELAY_MS);
    return Math.max(0, entry.lastFailure + delay - this.#now());
  }

  recordFailure(username: string, ip: string): void {
    const k = key(username, ip);
    const entry = this.#fresh(k) ?? { failures: 0, lastFailure: 0 };
    entry.failures += 1;
    entry.lastFailure = this.#now();

    // Re-insert so that Map order is least recently failed first, then trim the oldest.
    this.#entries.delete(k);
    this.#entries.set(k, entry);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= MAX_KEYS) break;
      this.#entries.delete(oldest);
    }
  }

  recordSuccess(username: string, ip: string): void {
    this.#entries.delete(key(username, ip));
  }

  #fresh(k: string): Entry | undefined {
    const entry = this.#entries.get(k);
    if (entry && this.#now() - entry.lastFailure > FORGET_AFTER_MS) {
      this.#entries.delete(k);
      return undefined;
    }
    return entry;
  }
}

function key(username: string, ip: string): string {
  return `${username.toLowerCase()}\n${ip}`;
}
