/** Options of a Backoff; the defaults suit a link to the signaling server. */
export interface BackoffOptions {
  /** First delay, in ms. */
  initialMs?: number;
  /** Largest delay, in ms. */
  maxMs?: number;
  /** Growth factor per failed attempt. */
  factor?: number;
  /** Share of each delay that is random, 0..1, so that many agents do not retry in step. */
  jitter?: number;
  /** Give up after this many attempts in a row; Infinity never gives up. */
  maxAttempts?: number;
  /** Source of randomness in [0, 1); replaceable in tests. */
  random?: () => number;
}

/**
 * Reconnection policy: exponential backoff with jitter. `next()` says how long to wait
 * before the next attempt, or `null` to stop; `reset()` after a success.
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #maxAttempts: number;
  readonly #random: () => number;
  #attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 0.3;
    this.#maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
    this.#random = options.random ?? Math.random;
  }

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.#attempts;
  }

  /** Delay before the next attempt in ms, or null when the policy says stop. */
  next(): number | null {
    if (this.#attempts >= this.#maxAttempts) return null;

    const base = Math.min(this.#maxMs, this.#initialMs * this.#factor ** this.#attempts);
    this.#attempts += 1;
    // Jitter only shortens the delay, so the cap stays a real upper bound.
    const delay = base * (1 - this.#jitter * this.#random());

    return Math.round(delay);
  }

  reset(): void {
    this.#attempts = 0;
  }
}
