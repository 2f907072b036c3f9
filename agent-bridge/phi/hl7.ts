import { HL7_IDENTIFYING_FIELDS } from './hl7-fields.ts';
import { placeholder, type Removals } from './tags.ts';

// A segment starts at the line start or after a segment break (CR, LF, an escaped "\r" as
// loggers print it, MLLP framing bytes) or after punctuation and spaces that loggers put
// before a message. Three upper-case letters or digits, then the field separator.
const SEGMENT_START_SOURCE = String.raw`(^|[\r\n\x0b\x1c\s"'>:=,;]|\\r|\\n)([A-Z][A-Z0-9]{2})(?=SEP)`;
const segmentStarts = new Map<string, RegExp>();

/** Whether a line may hold HL7 at all: a cheap test that keeps plain lines fast. */
export function mayHoldHl7(line: string): boolean {
  return line.includes('|') || line.includes('MSH');
}

/**
 * Masks identifying HL7 v2 fields by position in every segment found in `line`: the
 * segment name and the other fields stay, each identifying field becomes its tag. Text
 * around the segments is left for the free-text rules.
 */
export function maskHl7(line: string, removals: Removals): string {
  const separator = fieldSeparator(line);
  const starts = findSegments(line, separator);
  if (starts.length === 0) return line;

  let out = line.slice(0, starts[0]?.at ?? 0);
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    if (!start) continue;
    const next = starts[i + 1]?.breakAt ?? line.length;
    const end = segmentEnd(line, start.at, next);
    out += maskSegment(line.slice(start.at, end), start.id, removals);
    out += line.slice(end, starts[i + 1]?.at ?? line.length);
  }

  return out;
}

// What ends a segment when no other segment follows: CR, LF, MLLP end byte, escaped "\r".
const SEGMENT_END = /[\r\n\x1c]|\\r/g; // eslint-disable-line no-control-regex

function segmentEnd(line: string, from: number, limit: number): number {
  SEGMENT_END.lastIndex = from;
  const match = SEGMENT_END.exec(line);

  return match && match.index < limit ? match.index : limit;
}

interface SegmentStart {
  id: string;
  /** Index of the segment name. */
  at: number;
  /** Index of the break before the name (equal to `at` when there is none). */
  breakAt: number;
}

/** MSH-1 names the field separator; `|` when there is no MSH or it is unreadable. */
function fieldSeparator(line: string): string {
  const msh = line.indexOf('MSH');
  const candidate = msh >= 0 ? line.charAt(msh + 3) : '';

  return candidate && !/[\w\s]/.test(candidate) ? candidate : '|';
}

function findSegments(line: string, separator: string): SegmentStart[] {
  const pattern = segmentPattern(separator);
  const starts: SegmentStart[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
    const boundary = match[1] ?? '';
    starts.push({ id: match[2] ?? '', at: match.index + boundary.length, breakAt: match.index });
  }

  return starts;
}

// A separator other than `|` is honoured, but `|` still opens a segment: a message whose
// MSH says otherwise is more likely mangled than real, and it is masked rather than kept.
function segmentPattern(separator: string): RegExp {
  let pattern = segmentStarts.get(separator);
  if (!pattern) {
    const chars = separator === '|' ? String.raw`\|` : `[|${escapeInClass(separator)}]`;
    pattern = new RegExp(SEGMENT_START_SOURCE.replace('SEP', chars), 'g');
    segmentStarts.set(separator, pattern);
  }

  return pattern;
}

function maskSegment(segment: string, id: string, removals: Removals): string {
  // The character after the name is this segment's separator (see segmentPattern).
  const separator = segment.charAt(3);
  const fields = segment.split(separator);
  const rules = HL7_IDENTIFYING_FIELDS.get(id);

  // MSH-1 is the separator itself, so MSH-n sits at index n - 1; other segments at n.
  if (id === 'MSH') return segment;
  for (let n = 1; n < fields.length; n++) {
    const value = fields[n];
    if (!value) continue;
    const tag = rules ? rules.get(n) : 'ID';
    if (!tag) continue;
    fields[n] = placeholder(tag);
    removals.count++;
  }

  return fields.join(separator);
}

function escapeInClass(char: string): string {
  return /[\]\\^-]/.test(char) ? `\\${char}` : char;
}
