import type { LogLine, Severity } from '../../../shared/logs.ts';
import { clockWithMillis } from '../../lib/format.ts';

const RESET = '\x1b[0m';

/** Fixed-width labels keep the text column aligned in the terminal. */
const LABEL: Record<Severity, string> = {
  debug: 'DEBUG',
  info: 'INFO',
  notice: 'NOTICE',
  warning: 'WARN',
  error: 'ERROR',
  critical: 'CRIT',
};

/** ANSI styles per severity: dim debug, yellow warning, red error, bold bright red critical. */
const STYLE: Record<Severity, string> = {
  debug: '\x1b[2m',
  info: '',
  notice: '\x1b[36m',
  warning: '\x1b[33m',
  error: '\x1b[31m',
  critical: '\x1b[1;91m',
};

const LABEL_WIDTH = 6;
const DIM = '\x1b[2m';

/**
 * Makes text from a device safe to write to a terminal. Log text is data, never
 * terminal commands: escape sequences in it could move the cursor, rewrite earlier
 * lines or change titles, so every control character is shown as a visible symbol.
 */
export function sanitizeForTerminal(text: string): string {
  return text
    .replace(/\t/g, '  ')
    .replace(/\r?\n|\r/g, ' ⏎ ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '�'); // eslint-disable-line no-control-regex
}

/**
 * One terminal line, e.g. `17:40:01.123 ERROR  CVSM 6400 · E-NIBP-0412  Overpressure detected`,
 * coloured by severity. `sourceLabel` is the LogSource label the agent announced. When the
 * agent's PHI filter took items out of the line, a dim note says how many, so that a
 * technician reading `[NAME]` knows the gap is deliberate.
 */
export function formatLogLine(line: LogLine, sourceLabel: string): string {
  const style = STYLE[line.severity];
  const text = line.code ? withoutLeadingCode(line.text, line.code) : line.text;
  const label = LABEL[line.severity].padEnd(LABEL_WIDTH);
  const origin = line.code
    ? `${sanitizeForTerminal(sourceLabel)} · ${sanitizeForTerminal(line.code)}`
    : sanitizeForTerminal(sourceLabel);
  const body = `${label} ${origin}  ${sanitizeForTerminal(text)}`;

  return `\x1b[90m${clockWithMillis(line.at)}${RESET} ${style}${body}${RESET}${redactedNote(line)}`;
}

function redactedNote(line: LogLine): string {
  if (line.redacted <= 0) return '';
  const items = line.redacted === 1 ? 'item' : 'items';

  return `${DIM} · ${line.redacted} ${items} removed${RESET}`;
}

/** Device lines often repeat their code first ("E-1234 Pump stalled"); it is shown once. */
function withoutLeadingCode(text: string, code: string): string {
  if (!text.startsWith(code)) return text;

  // Only a whole token counts: "E-12345 ..." does not start with the code "E-1234".
  const after = text.slice(code.length);
  if (!/^[\s:,-]/.test(after)) return text;

  return after.replace(/^[\s:,-]+/, '') || text;
}
