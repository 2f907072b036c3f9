import type { PhiFilter } from './filter.ts';
import { identityTag } from './identity-keys.ts';
import { placeholder, type PhiTag, type Removals } from './tags.ts';

/** The header row of a delimited export, as far as the filter needs it. */
export interface TableHeader {
  delimiter: string;
  /** Per column: the tag its values are masked with, or null when they are kept. */
  columns: ReadonlyArray<PhiTag | null>;
}

const DELIMITERS = [',', '\t', ';', '|'] as const;

// A header row is column names only: letters first, then letters, digits, spaces and a
// little punctuation. Log lines fail this early (a colon, a bracket, an equals sign).
// Latin letters only: written out rather than as \p{L}, which is several times slower.
const LETTER = 'A-Za-zÀ-ÖØ-öø-ÿ\\u0100-\\u024f';
const HEADER_LINE = new RegExp(`^["']?[${LETTER}][${LETTER}0-9 _.#()/%'"\\t,;|-]*$`);
const COLUMN_NAME = new RegExp(`^[${LETTER}][${LETTER}0-9 _.#()/%-]{0,47}$`);

/**
 * Reads `line` as the header row of a CSV, TSV, semicolon- or pipe-separated export:
 * two or more column names, at least one of which names identity (`PatientName`, `MRN`,
 * `DOB`, `Address`…). Returns null for anything else, so ordinary lines cost one failed
 * regular-expression test.
 */
export function readHeader(line: string): TableHeader | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (!HEADER_LINE.test(text)) return null;

  const delimiter = mostFrequentDelimiter(text);
  if (!delimiter) return null;
  const names = splitFields(text, delimiter).map((field) => unquote(field).trim());
  if (names.length < 2 || !names.every((name) => COLUMN_NAME.test(name))) return null;
  const columns = names.map(identityTag);

  return columns.some((tag) => tag !== null) ? { delimiter, columns } : null;
}

/**
 * Masks one data row by column: a value under an identity column becomes its tag, the
 * others pass `filter` one by one, so a free-text comment column is still checked. A row
 * whose field count differs from the header's cannot be lined up with it and is masked
 * whole (one `[ID]`), as is a row that is not text.
 */
export function maskRow(
  line: string,
  header: TableHeader,
  filter: PhiFilter,
  removals: Removals,
): string {
  const cr = line.endsWith('\r') ? '\r' : '';
  const text = cr ? line.slice(0, -1) : line;
  const fields = splitFields(text, header.delimiter);
  if (fields.length !== header.columns.length) {
    removals.count++;
    return placeholder('ID') + cr;
  }

  const kept = filterKept(fields, header.columns, filter, removals);
  const out = fields.map((field, i) => {
    const tag = header.columns[i];
    if (!tag) return kept.shift() ?? '';
    if (unquote(field).trim() === '') return field;
    removals.count++;
    return placeholder(tag);
  });

  return out.join(header.delimiter) + cr;
}

// Joins the kept fields for one pass of the filter. No rule treats this private-use
// character as a space or a delimiter; should a match still swallow it, the count of
// pieces changes and the fields are filtered one by one instead.
const FIELD_JOIN = '\ue002';

/** The kept fields after the filter, in order. */
function filterKept(
  fields: readonly string[],
  columns: TableHeader['columns'],
  filter: PhiFilter,
  removals: Removals,
): string[] {
  const kept = fields.filter((_field, i) => !columns[i]);
  const joined = filter(kept.join(FIELD_JOIN));
  const pieces = joined.text.split(FIELD_JOIN);
  if (pieces.length === kept.length) {
    removals.count += joined.removed;
    return pieces;
  }

  return kept.map((field) => {
    const result = filter(field);
    removals.count += result.removed;
    return result.text;
  });
}

function mostFrequentDelimiter(text: string): string | null {
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < text.length; i++) {
    const at = DELIMITERS.indexOf(text[i] as (typeof DELIMITERS)[number]);
    if (at >= 0) counts[at] = (counts[at] ?? 0) + 1;
  }
  const most = Math.max(...counts);

  return most > 0 ? (DELIMITERS[counts.indexOf(most)] ?? null) : null;
}

/**
 * Splits on `delimiter` outside double quotes, the way spreadsheet exports quote
 * ("Doe, Jane"; a doubled quote inside a quoted field is a quote). The fields keep
 * their quotes, so a kept field is written back exactly as it came.
 */
export function splitFields(text: string, delimiter: string): string[] {
  if (!text.includes('"')) return text.split(delimiter);

  const fields: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === delimiter && !quoted) {
      fields.push(text.slice(start, i));
      start = i + 1;
    }
  }
  fields.push(text.slice(start));

  return fields;
}

function unquote(field: string): string {
  const trimmed = field.trim();

  return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
    ? trimmed.slice(1, -1).replace(/""/g, '"')
    : trimmed;
}
