import { AuditChain, AuditPage, type AuditFilter } from '../../../shared/protocol/audit.ts';
import { getJson, type Answer } from '../json-api.ts';

/** The Audit area's filters as the filter bar holds them; empty means "any". */
export interface AuditFilterInput {
  facility: string;
  technician: string;
  session: string;
  /** `datetime-local` values, in the browser's time zone. */
  from: string;
  to: string;
  action: string;
}

export const NO_FILTER: AuditFilterInput = {
  facility: '',
  technician: '',
  session: '',
  from: '',
  to: '',
  action: '',
};

/** One page of the server's ledger, newest first; `before` continues from a page. */
export function fetchAuditPage(
  filter: AuditFilterInput,
  limit: number,
  before?: number,
): Promise<Answer<AuditPage>> {
  const query = filterQuery(filter);
  query.set('limit', String(limit));
  if (before !== undefined) query.set('before', String(before));
  return getJson(`/api/audit?${query}`, AuditPage);
}

export function fetchAuditChain(): Promise<Answer<AuditChain>> {
  return getJson('/api/audit/chain', AuditChain);
}

/** The download of exactly the records the filter selects. */
export function exportUrl(filter: AuditFilterInput, format: 'csv' | 'jsonl'): string {
  const query = filterQuery(filter);
  query.set('format', format);
  return `/api/audit/export?${query}`;
}

/** The filter as query parameters: trimmed, empty ones left out, local times as instants. */
export function filterQuery(filter: AuditFilterInput): URLSearchParams {
  const values: Record<keyof AuditFilter, string> = {
    facility: filter.facility,
    technician: filter.technician.trim(),
    session: filter.session.trim(),
    from: instant(filter.from),
    to: instant(filter.to, 59_999),
    action: filter.action.trim(),
  };
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value) query.set(name, value);
  return query;
}

/**
 * A `datetime-local` value (minutes, local time) as an instant; `extraMs` lets "to"
 * include the whole minute it names. A value the browser could not parse is passed on
 * as typed, so the server names the problem in words.
 */
function instant(local: string, extraMs = 0): string {
  if (!local) return '';
  const time = new Date(local).getTime();
  return Number.isNaN(time) ? local : new Date(time + extraMs).toISOString();
}
