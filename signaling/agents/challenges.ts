import { TetherError } from '../../shared/errors.ts';
import { randomToken } from '../util.ts';

const TTL_MS = 60_000;
/** Bounds memory: at the TTL above, filling it takes well over a hundred requests a second. */
const MAX_OUTSTANDING = 10_000;

export type ChallengeOutcome = 'ok' | 'unknown' | 'expired' | 'other_agent';

/**
 * Single-use challenges an agent signs to prove its key when it connects. Kept in memory:
 * a challenge is good for one minute, so losing them on restart only costs a retry.
 */
export class ChallengeStore {
  readonly #pending = new Map<string, { agentId: string; expiresAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** A new challenge for `agentId`. Issued for any ID; the proof decides who is real. */
  issue(agentId: string): { challenge: string; expiresAt: string } {
    this.#prune();
    if (this.#pending.size >= MAX_OUTSTANDING) {
      throw new TetherError('rate_limited', 'Too many connection attempts. Try again shortly.');
    }

    const challenge = randomToken();
    const expiresAt = this.#now() + TTL_MS;
    this.#pending.set(challenge, { agentId, expiresAt });

    return { challenge, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** Uses up `challenge` whatever the outcome, so that it can never be tried twice. */
  consume(agentId: string, challenge: string): ChallengeOutcome {
    const entry = this.#pending.get(challenge);
    if (!entry) return 'unknown';

    this.#pending.delete(challenge);
    if (entry.expiresAt <= this.#now()) return 'expired';
    return entry.agentId === agentId ? 'ok' : 'other_agent';
  }

  /** Entries were inserted in expiry order (one TTL for all), so expired ones lead the map. */
  #prune(): void {
    const now = this.#now();
    for (const [challenge, entry] of this.#pending) {
      if (entry.expiresAt > now) break;
      this.#pending.delete(challenge);
    }
  }
}
