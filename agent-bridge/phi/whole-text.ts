import { looksBinary, maskBinary } from './binary.ts';
import { createPhiFilter, type PhiFilter } from './filter.ts';
import { PhiStream } from './stream.ts';
import type { Removals } from './tags.ts';

/** A whole text after filtering. */
export interface PhiTextResult {
  text: string;
  /** Items taken out of the whole text (never what they were). */
  removed: number;
  /** Lines read, counting a last line without a newline. */
  lines: number;
}

/**
 * Filters a whole text (a log file, an export, service data about to leave the agent)
 * line by line with one stream, so a delimited export's header masks its columns below.
 * Line endings are written back as they came (LF or CRLF). A text that is not text as a
 * whole (a binary file read as UTF-8) is masked line by line as binary, even where a line
 * happens to look printable: its printable pieces cannot be trusted to be free of
 * identity.
 */
export function filterText(text: string, filter: PhiFilter = createPhiFilter()): PhiTextResult {
  if (text === '') return { text, removed: 0, lines: 0 };
  const pieces = text.split('\n');
  const lines = text.endsWith('\n') ? pieces.length - 1 : pieces.length;
  const binary = looksBinary(text);
  const stream = new PhiStream(filter);
  const removals: Removals = { count: 0 };

  const out = pieces.map((piece, i) => {
    if (i === lines) return piece;
    const cr = piece.endsWith('\r') ? '\r' : '';
    const line = cr ? piece.slice(0, -1) : piece;
    if (binary) return maskBinary(line, removals) + cr;
    const result = stream.next(line);
    removals.count += result.removed;
    return result.text + cr;
  });

  return { text: out.join('\n'), removed: removals.count, lines };
}

/**
 * Filters a file's bytes as `filterText` does. Bytes that are not UTF-8 become U+FFFD,
 * which the binary test counts, so a binary file comes out masked.
 */
export function filterBytes(bytes: Uint8Array, filter?: PhiFilter): PhiTextResult {
  return filterText(new TextDecoder('utf-8').decode(bytes), filter);
}
