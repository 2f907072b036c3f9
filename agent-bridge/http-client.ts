import type { z } from 'zod';
import { ErrorBody } from '../shared/errors.ts';
import { parseMessage } from '../shared/protocol/common.ts';

/** The server answered with an error status; `body` is its ErrorBody when it sent one. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body ? `${body.message} (${body.code})` : `HTTP ${status}`);
    this.name = 'HttpRefusal';
  }
}

/**
 * POSTs `body` as JSON and validates the answer with `schema`. Throws HttpRefusal for an
 * error status, and a plain Error when the server cannot be reached or answers garbage.
 */
export async function postJson<T>(url: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();

  if (!response.ok) {
    const error = parseMessage(ErrorBody, text);
    throw new HttpRefusal(response.status, error.ok ? error.value : undefined);
  }

  const parsed = parseMessage(schema, text);
  if (!parsed.ok) throw new Error(`unexpected answer from ${url}: ${parsed.error.message}`);

  return parsed.value;
}
