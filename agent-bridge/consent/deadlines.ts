import { IMPLEMENTED_CAPABILITIES, type Capability } from '../../shared/capabilities.ts';
import type { Policy } from '../policy.ts';

/**
 * One timer per session for questions put to staff: a new one replaces the old, and
 * `clear` or `dispose` stop them. The consent and capability flows both keep one.
 */
export class Deadlines {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  /** Calls `expire` after `ms` unless cleared first. */
  set(sessionId: string, ms: number, expire: () => void): void {
    this.clear(sessionId);
    this.#timers.set(
      sessionId,
      setTimeout(() => {
        this.#timers.delete(sessionId);
        expire();
      }, ms),
    );
  }

  clear(sessionId: string): void {
    clearTimeout(this.#timers.get(sessionId));
    this.#timers.delete(sessionId);
  }

  dispose(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}

/** What local policy lets staff grant at all, as far as this build can serve it. */
export function grantableByPolicy(policy: Policy): Capability[] {
  return policy.allowedCapabilities.filter((c) => IMPLEMENTED_CAPABILITIES.includes(c));
}
