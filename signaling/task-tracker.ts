import type { Logger } from './log.ts';

/**
 * Keeps the promises of work started from event handlers (socket disconnects, timers), so
 * that their failures are logged and shutdown can wait for them before closing storage.
 */
export class TaskTracker {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  track(work: Promise<unknown>): void {
    const settled = work
      .catch((error: unknown) => this.#log.error({ err: error }, 'background task failed'))
      .finally(() => this.#pending.delete(settled));
    this.#pending.add(settled);
  }

  /** Waits until nothing is pending, including work that pending work started. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
