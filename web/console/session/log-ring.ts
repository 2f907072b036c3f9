import { SEVERITIES, type LogLine, type Severity } from '../../../shared/logs.ts';

/** What the technician chose to see: one source (or all) at or above a severity. */
export interface LogFilter {
  /** A LogSource id, or null for all devices and files. */
  source: string | null;
  minSeverity: Severity;
}

export const ALL_LINES: LogFilter = { source: null, minSeverity: 'debug' };

const RANK = new Map<Severity, number>(SEVERITIES.map((severity, index) => [severity, index]));

/** Whether a line passes the filter. */
export function matchesFilter(line: LogLine, filter: LogFilter): boolean {
  if (filter.source !== null && line.source !== filter.source) return false;

  return (RANK.get(line.severity) ?? 0) >= (RANK.get(filter.minSeverity) ?? 0);
}

/** What one push did: the lines kept and the oldest lines pushed out to make room. */
export interface PushResult {
  added: LogLine[];
  evicted: LogLine[];
}

/**
 * The console's in-memory copy of a session's log lines, bounded so a long session
 * cannot exhaust the tab's memory. Filters are applied by re-reading it, so changing a
 * filter shows older lines again without asking the agent.
 */
export class LogRing {
  readonly capacity: number;
  #lines: (LogLine | undefined)[];
  #start = 0;
  #size = 0;
  #lastSeq = -1;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be >= 1');

    this.capacity = capacity;
    this.#lines = new Array<LogLine | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Highest seq seen, or -1 before the first line. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Appends lines in seq order. Lines at or below the highest seq already held are
   * dropped: a repeated backlog (after a re-subscribe) must not show lines twice.
   */
  push(lines: readonly LogLine[]): PushResult {
    const added: LogLine[] = [];
    const evicted: LogLine[] = [];

    for (const line of lines) {
      if (line.seq <= this.#lastSeq) continue;
      this.#lastSeq = line.seq;
      added.push(line);

      const end = (this.#start + this.#size) % this.capacity;
      if (this.#size === this.capacity) {
        const oldest = this.#lines[this.#start];
        if (oldest) evicted.push(oldest);
        this.#start = (this.#start + 1) % this.capacity;
      } else {
        this.#size += 1;
      }
      this.#lines[end] = line;
    }

    return { added, evicted };
  }

  /** The lines held, oldest first, that pass `filter`, at most the last `limit` of them. */
  select(filter: LogFilter, limit = Number.POSITIVE_INFINITY): LogLine[] {
    const picked: LogLine[] = [];
    for (let i = this.#size - 1; i >= 0 && picked.length < limit; i -= 1) {
      const line = this.#lines[(this.#start + i) % this.capacity];
      if (line && matchesFilter(line, filter)) picked.push(line);
    }

    return picked.reverse();
  }

  /** How many held lines pass `filter`. */
  count(filter: LogFilter): number {
    let total = 0;
    for (let i = 0; i < this.#size; i += 1) {
      const line = this.#lines[(this.#start + i) % this.capacity];
      if (line && matchesFilter(line, filter)) total += 1;
    }

    return total;
  }

  /** Held lines newer than `seq` that pass `filter`, oldest first. */
  after(seq: number, filter: LogFilter): LogLine[] {
    const picked: LogLine[] = [];
    for (let i = this.#size - 1; i >= 0; i -= 1) {
      const line = this.#lines[(this.#start + i) % this.capacity];
      if (!line || line.seq <= seq) break;
      if (matchesFilter(line, filter)) picked.push(line);
    }

    return picked.reverse();
  }
}
