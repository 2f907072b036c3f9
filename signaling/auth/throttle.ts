const BASE_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;
/** A key with no failure for this long starts afresh. */
const FORGET_AFTER_MS = 15 * 60_000;
/** Bounds memory when someone sprays many names or addresses. */
const MAX_KEYS = 10_000;

/**
 * Failures allowed before the slowdown starts, per kind of key. One person mistyping from
 * one address meets the first; one account tried from many addresses, or many accounts
 * tried from one address (an office behind one NAT is the honest case), the others.
 */
const FREE_FAILURES = { pair: 5, account: 20, address: 50 } as const;

interface Entry {
  failures: number;
  lastFailure: number;
}

/**
 * Slows password and code guessing per account, per client address, and per account and
 * address together: after a few failures, each further attempt must wait twice as long as
 * the last, up to a minute. A wrong password and a wrong two-factor code count alike. It
 * lives in memory, so it resets on restart and is per node; that is enough to make online
 * guessing slow.
 */
export class SignInThrottle {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Milliseconds until the next attempt is allowed; 0 means go ahead. */
  waitMs(username: string, ip: string): number {
    let wait = 0;
    for (const [k, free] of keys(username, ip)) {
      const entry = this.#fresh(k);
      if (!entry || entry.failures < free) continue;

      const delay = Math.min(BASE_DELAY_MS * 2 ** (entry.failures - free), MAX_DELAY_MS);
      wait = Math.max(wait, entry.lastFailure + delay - this.#now());
    }
    return wait;
  }

  recordFailure(username: string, ip: string): void {
    for (const [k] of keys(username, ip)) {
      const entry = this.#fresh(k) ?? { failures: 0, lastFailure: 0 };
      entry.failures += 1;
      entry.lastFailure = this.#now();

      // Re-insert so that Map order is least recently failed first, then trim the oldest.
      this.#entries.delete(k);
      this.#entries.set(k, entry);
    }
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= MAX_KEYS) break;
      this.#entries.delete(oldest);
    }
  }

  /**
   * Forgets the failures of this account from this address. The account-wide and
   * address-wide counts only age out: one success must not reset a spray from elsewhere.
   */
  recordSuccess(username: string, ip: string): void {
    this.#entries.delete(pairKey(username, ip));
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

function keys(username: string, ip: string): [string, number][] {
  return [
    [pairKey(username, ip), FREE_FAILURES.pair],
    [`account\n${username.toLowerCase()}`, FREE_FAILURES.account],
    [`address\n${ip}`, FREE_FAILURES.address],
  ];
}

function pairKey(username: string, ip: string): string {
  return `pair\n${username.toLowerCase()}\n${ip}`;
}
