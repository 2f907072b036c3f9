/**
 * Counts each technician's console sockets and calls `onGone` when one has had none for
 * `graceMs`. A page reload or a short network drop stays within the grace and costs nothing.
 */
export class ConsolePresence {
  readonly #sockets = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #graceMs: number;
  readonly #onGone: (userId: string) => void;

  constructor(graceMs: number, onGone: (userId: string) => void) {
    this.#graceMs = graceMs;
    this.#onGone = onGone;
  }

  connected(userId: string): void {
    this.#sockets.set(userId, (this.#sockets.get(userId) ?? 0) + 1);
    clearTimeout(this.#timers.get(userId));
    this.#timers.delete(userId);
  }

  disconnected(userId: string): void {
    const left = (this.#sockets.get(userId) ?? 1) - 1;
    if (left > 0) {
      this.#sockets.set(userId, left);
      return;
    }

    this.#sockets.delete(userId);
    const timer = setTimeout(() => {
      this.#timers.delete(userId);
      this.#onGone(userId);
    }, this.#graceMs);
    timer.unref();
    this.#timers.set(userId, timer);
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
