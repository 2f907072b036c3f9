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
