import { EventEmitter } from 'node:events';
import type { LogLine, LogSource, Severity } from '../../shared/logs.ts';
import { createPhiFilter, type PhiFilter } from '../phi/filter.ts';
import { PhiStreams } from '../phi/stream.ts';
import { cleanLine, findErrorCode, guessSeverity } from './classify.ts';

/** A line as a source hands it to the hub, before it gets its `seq`. */
export interface LineInput {
  text: string;
  /** Given by sources that know it (the simulated devices); guessed from the text otherwise. */
  severity?: Severity;
  code?: string | null;
  at?: Date;
}

interface HubEvents {
  line: [LogLine];
  sources: [LogSource[]];
}

/** Most removals a line reports; the wire format caps the count there. */
const MAX_REDACTED = 1000;

/**
 * Every log line the agent can serve passes through here, and through the PHI filter
 * here, whatever its source, before anyone can see it. The hub numbers lines with one
 * `seq` across all sources, keeps the most recent ones for backlog in a ring buffer, and
 * tells listeners about each new line ('line') and each change of the source list
 * ('sources').
 */
export class LogHub extends EventEmitter<HubEvents> {
  readonly #capacity: number;
  readonly #ring: LogLine[] = [];
  #start = 0;
  #nextSeq = 0;
  readonly #sources = new Map<string, LogSource>();
  /** One filter stream per source, so a delimited export's header masks its own rows. */
  readonly #filters: PhiStreams;

  /**
   * `filter` defaults to the built-in PHI rules; pass `createPhiFilter(policy.phi)` for the
   * facility's additions. There is deliberately no way to publish around the filter.
   */
  constructor(capacity = 5000, filter: PhiFilter = createPhiFilter()) {
    super();
    this.#capacity = capacity;
    this.#filters = new PhiStreams(filter);
    // One listener per open session, plus a few of our own.
    this.setMaxListeners(0);
  }

  /** Adds or replaces a source; listeners hear the new list. */
  addSource(source: LogSource): void {
    this.#sources.set(source.id, source);
    this.emit('sources', this.sources());
  }

  removeSource(id: string): void {
    this.#filters.forget(id);
    if (this.#sources.delete(id)) this.emit('sources', this.sources());
  }

  /**
   * The source starts over (a file truncated or replaced): a table header seen before no
   * longer describes the lines that come next.
   */
  restartSource(id: string): void {
    this.#filters.reset(id);
  }

  /**
   * Shows the filter a line of `id` that is not published: the first line of a file
   * followed from its tail, so a table header there still masks the rows read after it.
   */
  primeSource(id: string, line: string): void {
    this.#filters.observe(id, line);
  }

  sources(): LogSource[] {
    return [...this.#sources.values()];
  }

  /**
   * Filters and records one line from `sourceId`; returns it, or null when nothing
   * printable was left. The filter sees the raw text, before control characters are
   * dropped, so that HL7 segment breaks (CR) and binary junk are still there to see.
   */
  publish(sourceId: string, input: LineInput): LogLine | null {
    const filtered = this.#filters.next(sourceId, input.text);
    const text = cleanLine(filtered.text);
    if (!text) return null;

    const line: LogLine = {
      seq: this.#nextSeq++,
      at: (input.at ?? new Date()).toISOString(),
      source: sourceId,
      severity: input.severity ?? guessSeverity(text),
      code: input.code !== undefined ? input.code : findErrorCode(text),
      text,
      redacted: Math.min(filtered.removed, MAX_REDACTED),
    };
    this.#store(line);
    this.emit('line', line);

    return line;
  }

  /**
   * Every held line after `seq`, oldest first, and how many lines after `seq` the ring no
   * longer holds (they were pushed out by newer ones).
   */
  since(seq: number): { lines: LogLine[]; missed: number } {
    const all = this.recent(this.#capacity);
    const lines = all.filter((line) => line.seq > seq);
    const oldest = lines[0]?.seq ?? this.#nextSeq;

    return { lines, missed: Math.max(0, oldest - seq - 1) };
  }

  /** The last `count` lines, oldest first. */
  recent(count: number): LogLine[] {
    const all = [...this.#ring.slice(this.#start), ...this.#ring.slice(0, this.#start)];
    return count >= all.length ? all : all.slice(all.length - count);
  }

  #store(line: LogLine): void {
    if (this.#ring.length < this.#capacity) {
      this.#ring.push(line);
      return;
    }
    this.#ring[this.#start] = line;
    this.#start = (this.#start + 1) % this.#capacity;
  }
}
