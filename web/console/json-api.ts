import type { z } from 'zod';
import { ErrorBody, type ErrorCode } from '../../shared/errors.ts';

/** An answer from the server: the validated body, or words for the person and the code. */
export type Answer<T> =
  { ok: true; value: T } | { ok: false; message: string; code: ErrorCode | null };

const UNREACHABLE = 'Cannot reach the Tether server. Check the network connection and try again.';
const UNEXPECTED = 'The server sent an answer the console does not understand.';

/** GET `url`, validating the answer with `schema`. */
export function getJson<T>(url: string, schema: z.ZodType<T>): Promise<Answer<T>> {
  return callApi(url, { method: 'GET' }, schema);
}

/** POST `body` as JSON to `url` (an empty body when absent). */
export function postJson<T>(url: string, body: unknown, schema: z.ZodType<T>): Promise<Answer<T>> {
  return callApi(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    },
    schema,
  );
}

/**
 * One request to the console's own API with its cookie. Every answer is validated;
 * a refusal carries the server's words, anything else words of our own.
 */
export async function callApi<T>(
  url: string,
  init: RequestInit,
  schema: z.ZodType<T>,
): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: 'same-origin' });
  } catch {
    return { ok: false, message: UNREACHABLE, code: null };
  }

  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    raw = undefined;
  }

  if (response.ok) {
    const body = schema.safeParse(raw);
    return body.success
      ? { ok: true, value: body.data }
      : { ok: false, message: UNEXPECTED, code: null };
  }
  const error = ErrorBody.safeParse(raw);
  if (error.success) return { ok: false, message: error.data.message, code: error.data.code };
  return {
    ok: false,
    message: `The server refused the request (HTTP ${response.status}).`,
    code: null,
  };
}
