import type { z } from 'zod';
import { ErrorBody } from '../../../shared/errors.ts';
import {
  DeviceDetail,
  EventPage,
  FleetOverview,
  type EventFilter,
} from '../../../shared/protocol/fleet.ts';
import { createLogger } from '../../lib/log.ts';

const log = createLogger('fleet');

/** An answer from the fleet API, or what went wrong in words. */
export type Fetched<T> =
  { ok: true; value: T } | { ok: false; message: string; signedOut: boolean };

/** The event viewer's filters as the console holds them, before they become a query. */
export interface ViewerFilter {
  agent: string;
  device: string;
  q: string;
  severity: EventFilter['severity'] | '';
  from: string | null;
  to: string | null;
}

export function fetchOverview(): Promise<Fetched<FleetOverview>> {
  return getJson('/api/fleet', FleetOverview);
}

export function fetchDetail(agent: string, device: string): Promise<Fetched<DeviceDetail>> {
  return getJson(`/api/fleet/device?${new URLSearchParams({ agent, device })}`, DeviceDetail);
}

export function fetchEvents(
  filter: ViewerFilter,
  limit: number,
  before?: string,
): Promise<Fetched<EventPage>> {
  const query = filterQuery(filter);
  query.set('limit', String(limit));
  if (before) query.set('before', before);
  return getJson(`/api/fleet/events?${query}`, EventPage);
}

/** The CSV download of exactly the events the filter selects. */
export function csvUrl(filter: ViewerFilter): string {
  return `/api/fleet/events.csv?${filterQuery(filter)}`;
}

function filterQuery(filter: ViewerFilter): URLSearchParams {
  const query = new URLSearchParams({ agent: filter.agent, device: filter.device });
  if (filter.q.trim()) query.set('q', filter.q.trim());
  if (filter.severity) query.set('severity', filter.severity);
  if (filter.from) query.set('from', filter.from);
  if (filter.to) query.set('to', filter.to);
  return query;
}

async function getJson<T>(url: string, schema: z.ZodType<T>): Promise<Fetched<T>> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch {
    return failed('Cannot reach the Tether server. The dashboard retries on its own.');
  }

  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = ErrorBody.safeParse(body);
    const message = error.success ? error.data.message : `The server answered ${response.status}.`;
    return failed(message, response.status === 401);
  }

  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };

  log.warn('unexpected fleet API answer', { url, problem: parsed.error.issues[0]?.message });
  return failed('The server sent an answer the console does not understand.');
}

function failed(message: string, signedOut = false): Fetched<never> {
  return { ok: false, message, signedOut };
}
