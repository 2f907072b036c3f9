/** How long a session may stay `reconnecting` unless the server is told otherwise. */
export const DEFAULT_RECONNECT_GRACE_MS = 60_000;

/**
 * How long a session may stay `reconnecting` before it ends: one timer per session,
 * started when its path to the agent breaks and cleared when a path is back or the
 * session ends. The broker decides what expiry means; this only keeps the clocks.
 */
export class ReconnectDeadlines {
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #graceMs: number;

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  get graceMs(): number {
    return this.#graceMs;
  }

  /** Starts the session's clock unless it already runs. */
  start(sessionId: string, expired: () => void): void {
    if (this.#timers.has(sessionId)) return;

    const timer = setTimeout(() => {
      this.#timers.delete(sessionId);
      expired();
    }, this.#graceMs);
    timer.unref();
    this.#timers.set(sessionId, timer);
  }

  clear(sessionId: string): void {
    clearTimeout(this.#timers.get(sessionId));
    this.#timers.delete(sessionId);
  }

  clearAll(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
