import type { Severity } from '../../shared/logs.ts';

/** Longest line text the agent sends; longer lines are cut here. */
export const MAX_LINE_CHARS = 4000;

const LEVEL_WORDS: ReadonlyArray<[RegExp, Severity]> = [
  [/^(FATAL|CRIT|CRITICAL|EMERG|EMERGENCY|ALERT|PANIC)$/i, 'critical'],
  [/^(ERROR|ERR|SEVERE|FAIL|FAILED|FAILURE)$/i, 'error'],
  [/^(WARN|WARNING)$/i, 'warning'],
  [/^(NOTICE|NOTE)$/i, 'notice'],
  [/^(INFO|INFORMATION)$/i, 'info'],
  [/^(DEBUG|TRACE|VERBOSE)$/i, 'debug'],
];

// Word-like tokens; the first one that names a level wins, so "INFO retry after error"
// stays info while "12:00:01 [ERROR] pump stalled" becomes error.
const TOKEN = /[A-Za-z]+/g;

// Service error codes such as E-1234, ERR-0412 or E-NIBP-0412: letters, optional
// letter/number groups, and a final group of digits.
const CODE = /\b([A-Z]{1,6}(?:-[A-Z0-9]{1,10}){0,3}-\d{2,8})\b/;

/** Guesses a line's severity from the first level word in it; `info` when there is none. */
export function guessSeverity(text: string): Severity {
  for (const [token] of text.matchAll(TOKEN)) {
    for (const [pattern, severity] of LEVEL_WORDS) {
      if (pattern.test(token)) return severity;
    }
  }
  return 'info';
}

/** The first service error code in a line, or null. */
export function findErrorCode(text: string): string | null {
  const match = CODE.exec(text);
  return match?.[1] && match[1].length <= 40 ? match[1] : null;
}

/**
 * Makes raw file text safe to show: drops control characters (keeping tabs) and the
 * replacement characters left by undecodable bytes, trims the line end, cuts long lines.
 */
export function cleanLine(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/[\u0000-\u0008\u000A-\u001F\u007F-\u009F\uFFFD\uFFFE\uFFFF]/g, '');
  return text.trimEnd().slice(0, MAX_LINE_CHARS);
}
