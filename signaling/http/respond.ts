import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { TetherError, type ErrorBody, type ErrorCode } from '../../shared/errors.ts';

/** Largest JSON request body accepted, in bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  message_too_large: 413,
  unknown_message: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  enrolment_invalid: 403,
  proof_invalid: 403,
  capability_not_allowed: 403,
  not_found: 404,
  invalid_state: 409,
  agent_offline: 409,
  rate_limited: 429,
  internal: 500,
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/** Sends an `ErrorBody` with the HTTP status that belongs to its code. */
export function sendError(res: ServerResponse, body: ErrorBody): void {
  // After an oversize body the connection is closed so the unread rest is not parsed as a request.
  const headers: Record<string, string> =
    body.code === 'message_too_large' ? { Connection: 'close' } : {};
  sendJson(res, STATUS[body.code], body, headers);
}

/**
 * Reads a JSON body of at most MAX_BODY_BYTES and validates it. A schema failure becomes
 * `bad_request` with the schema's own message, which the sign-in form shows as is.
 */
export async function readBody<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge();

  const text = await readText(req);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TetherError('bad_request', 'The request body is not valid JSON.');
  }

  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
  throw new TetherError('bad_request', `${issue?.message ?? 'Invalid request'}${where}`);
}

/**
 * Collects the body up to the limit. Past it, the rest is read and thrown away rather than
 * destroying the request, which would also drop the socket before the 413 reaches the client.
 */
function readText(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;

    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES && !overflow) {
        overflow = true;
        chunks.length = 0;
        reject(tooLarge());
      }
      if (!overflow) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function tooLarge(): TetherError {
  return new TetherError('message_too_large', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
}
