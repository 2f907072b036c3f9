import type { LogLine } from '../../../shared/logs.ts';
import { LogRing, type PushResult } from './log-ring.ts';

/** Lines kept per session in the tab; older ones fall out of the ring. */
export const RING_CAPACITY = 10_000;

/**
 * A session's log lines as they arrive on the data channel: the bounded ring plus
 * listeners. The log view subscribes to write new lines into the terminal and re-reads
 * the ring when a filter changes, so lines that arrived before it mounted are not lost.
 */
export class LogFeed {
  readonly ring = new LogRing(RING_CAPACITY);
  readonly #listeners = new Set<(result: PushResult) => void>();

  push(lines: readonly LogLine[]): void {
    const result = this.ring.push(lines);
    if (result.added.length === 0) return;

    for (const listener of this.#listeners) listener(result);
  }

  /** Calls `listener` with each batch of new lines; returns the unsubscribe function. */
  subscribe(listener: (result: PushResult) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
