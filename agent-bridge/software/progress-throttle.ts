/** Progress is reported to the server in steps of this size. */
const PROGRESS_STEP = 0.05;

/**
 * Decides which progress values are worth a report: the first, every step of 5 %, the
 * end, and any reset. A multi-megabyte download then makes about twenty reports, not
 * one per chunk.
 */
export class ProgressThrottle {
  readonly #sent = new Map<string, number>();

  /** Whether `progress` for `key` moved enough since the last report; remembers it if so. */
  worthReporting(key: string, progress: number | null): boolean {
    const last = this.#sent.get(key);
    if (progress !== null && last !== undefined && progress < 1 && progress - last < PROGRESS_STEP)
      return false;

    if (progress === null) this.#sent.delete(key);
    else this.#sent.set(key, progress);
    return true;
  }
}
