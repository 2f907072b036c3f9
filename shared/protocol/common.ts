import { z } from 'zod';
import type { ErrorBody } from '../errors.ts';

/** Largest JSON message accepted on a socket or data channel, in characters. */
export const MAX_MESSAGE_CHARS = 64 * 1024;

export const Id = z.string().min(1).max(80);
export const IsoTime = z.string().min(10).max(40);

export const Person = z.object({
  username: z.string().min(1).max(64),
  displayName: z.string().min(1).max(120),
  organisation: z.string().min(1).max(120),
});
export type Person = z.infer<typeof Person>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: ErrorBody };

/**
 * Validates one inbound message: a size limit first, then the schema. Accepts either
 * a JSON string (data channels) or an already decoded value (socket.io).
 */
export function parseMessage<T>(schema: z.ZodType<T>, raw: unknown): ParseResult<T> {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.length > MAX_MESSAGE_CHARS) return tooLarge();
    try {
      value = JSON.parse(raw);
    } catch {
      return { ok: false, error: { code: 'bad_request', message: 'Message is not valid JSON.' } };
    }
  } else if (approximateSize(raw) > MAX_MESSAGE_CHARS) {
    return tooLarge();
  }

  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };

  const type = typeof value === 'object' && value && 'type' in value ? String(value.type) : '?';
  const issue = result.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  const message = `Malformed "${type}" message${where}: ${issue?.message ?? 'invalid'}.`;

  return { ok: false, error: { code: 'bad_request', message: message.slice(0, 1000) } };
}

function tooLarge(): ParseResult<never> {
  return {
    ok: false,
    error: {
      code: 'message_too_large',
      message: `Message exceeds ${MAX_MESSAGE_CHARS} characters.`,
    },
  };
}

function approximateSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 0;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The reply to a socket.io request that takes an acknowledgement. */
export type Ack<T = Record<string, never>> = ({ ok: true } & T) | ({ ok: false } & ErrorBody);
