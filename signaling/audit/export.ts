import type { ServerResponse } from 'node:http';
import type { AuditRow } from '../../shared/protocol/audit.ts';
import { csvLine } from '../fleet/csv.ts';

/** The columns of the CSV export, in order, with the header each gets. */
const CSV_COLUMNS: { header: string; cell: (row: AuditRow) => string }[] = [
  { header: 'id', cell: (r) => String(r.id) },
  { header: 'time', cell: (r) => r.at },
  { header: 'actor', cell: (r) => r.actorName },
  { header: 'role', cell: (r) => r.role ?? '' },
  { header: 'facility', cell: (r) => r.facilityName ?? '' },
  { header: 'agent', cell: (r) => r.agentName ?? '' },
  { header: 'session', cell: (r) => r.sessionId ?? '' },
  { header: 'action', cell: (r) => r.action },
  { header: 'capability', cell: (r) => r.capability.join(' ') },
  { header: 'outcome', cell: (r) => r.outcome ?? '' },
  { header: 'detail', cell: (r) => JSON.stringify(r.detail) },
  { header: 'hash', cell: (r) => r.hash },
];

/** The header line of the CSV export. */
export const CSV_HEADER = csvLine(CSV_COLUMNS.map((c) => c.header));

/** One record as a CSV line (RFC 4180: fields quoted where needed, CRLF at the end). */
export function auditCsvLine(row: AuditRow): string {
  return csvLine(CSV_COLUMNS.map((c) => c.cell(row)));
}

/** One record as a line of JSON Lines: the same object the page API answers with. */
export function auditJsonLine(row: AuditRow): string {
  return `${JSON.stringify(row)}\n`;
}

/**
 * Writes `rows` to `res` as they come, one line each, waiting whenever the client reads
 * slower than the database answers, so an export of any size holds a batch in memory at
 * most. Resolves with how many records went out. A client that goes away stops it.
 */
export async function streamAuditExport(
  res: ServerResponse,
  format: 'csv' | 'jsonl',
  rows: AsyncIterable<AuditRow>,
  fileName: string,
): Promise<number> {
  const csv = format === 'csv';
  res.writeHead(200, {
    'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'Content-Disposition': `attachment; filename="${fileName}.${format}"`,
    'Cache-Control': 'no-store',
  });
  if (csv) res.write(CSV_HEADER);

  let count = 0;
  for await (const row of rows) {
    if (res.destroyed) break;
    count += 1;
    const ready = res.write(csv ? auditCsvLine(row) : auditJsonLine(row));
    if (!ready) await drained(res);
  }
  res.end();

  return count;
}

/** Resolves when the client has taken what was written, or has gone away. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
