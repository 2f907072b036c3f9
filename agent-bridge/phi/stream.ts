import { maskRow, readHeader, type TableHeader } from './delimited.ts';
import type { PhiFilter, PhiResult } from './filter.ts';
import type { Removals } from './tags.ts';

/**
 * Filters the lines of one source in order. Most lines go through the line filter alone;
 * what needs memory is a delimited export, whose header row says which columns hold
 * identity in every row after it. Once a header with identity columns is seen, every
 * following line is read as a row of that table until another such header replaces it
 * or the source starts over: a line that does not fit the table is masked whole rather
 * than guessed at (fail closed), at the price of masking log text written into the same
 * file after an export.
 */
export class PhiStream {
  readonly #filter: PhiFilter;
  #header: TableHeader | null = null;

  constructor(filter: PhiFilter) {
    this.#filter = filter;
  }

  /** Filters the next line of this source. */
  next(line: string): PhiResult {
    const header = mayBeHeader(line) ? readHeader(line) : null;
    if (header) {
      this.#header = header;
      return this.#filterFields(line, header.delimiter);
    }
    if (!this.#header) return this.#filter(line);
    if (line.trim() === '') return { text: line, removed: 0 };

    const removals: Removals = { count: 0 };
    const text = maskRow(line, this.#header, this.#filter, removals);

    return { text, removed: removals.count };
  }

  /** Lets the stream see a line that is not filtered for anyone: a header read apart. */
  observe(line: string): void {
    const header = mayBeHeader(line) ? readHeader(line) : null;
    if (header) this.#header = header;
  }

  /** The source starts over (a file truncated or replaced): no header is in force. */
  reset(): void {
    this.#header = null;
  }

  // A header's column names still pass the filter, one by one so that no HL7 or
  // delimiter rule reads the row as something else.
  #filterFields(line: string, delimiter: string): PhiResult {
    let removed = 0;
    const text = line
      .split(delimiter)
      .map((field) => {
        const result = this.#filter(field);
        removed += result.removed;
        return result.text;
      })
      .join(delimiter);

    return { text, removed };
  }
}

/** Cheap test before the header parser: a letter or quote first, no colon, a delimiter. */
function mayBeHeader(line: string): boolean {
  const first = line.charCodeAt(0);
  const letterOrQuote =
    (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 34 || first > 127;

  // A colon is in nearly every log line (its time stamp) and in no header row.
  return (
    letterOrQuote &&
    !line.includes(':') &&
    (line.includes(',') || line.includes('\t') || line.includes(';') || line.includes('|'))
  );
}

/** One stream per source, so each source keeps its own table header. */
export class PhiStreams {
  readonly #filter: PhiFilter;
  readonly #streams = new Map<string, PhiStream>();

  constructor(filter: PhiFilter) {
    this.#filter = filter;
  }

  /** Filters the next line of `sourceId`. */
  next(sourceId: string, line: string): PhiResult {
    return this.#stream(sourceId).next(line);
  }

  /** See PhiStream.observe. */
  observe(sourceId: string, line: string): void {
    this.#stream(sourceId).observe(line);
  }

  /** The source starts over: its header is forgotten, the stream kept. */
  reset(sourceId: string): void {
    this.#streams.get(sourceId)?.reset();
  }

  /** The source is gone. */
  forget(sourceId: string): void {
    this.#streams.delete(sourceId);
  }

  #stream(sourceId: string): PhiStream {
    let stream = this.#streams.get(sourceId);
    if (!stream) {
      stream = new PhiStream(this.#filter);
      this.#streams.set(sourceId, stream);
    }

    return stream;
  }
}
