import type { FleetEvent } from '../../shared/protocol/fleet.ts';

const HEADER = ['time', 'severity', 'code', 'text', 'items removed by the PHI filter'];

/**
 * Events as CSV (RFC 4180: CRLF line ends, fields quoted where needed). A cell that a
 * spreadsheet would run as a formula is prefixed with an apostrophe.
 */
export function eventsCsv(events: readonly FleetEvent[]): string {
  const lines = [
    HEADER,
    ...events.map((e) => [e.at, e.severity, e.code ?? '', e.text, e.redacted]),
  ];
  return lines.map((cells) => csvLine(cells.map(String))).join('');
}

/** One CSV line: the cells as fields, comma-separated, CRLF at the end. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** One CSV cell: quoted where needed, and defused where a spreadsheet would run it. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
