import type { z } from 'zod';
import { parseMessage } from '../../shared/protocol/common.ts';
import type { Logger } from './log.ts';

type TypedUnion = z.ZodDiscriminatedUnion<z.ZodObject<{ type: z.ZodLiteral<string> }>[]>;

/**
 * Validates one inbound message at a boundary. A message of a type this build does not
 * know is dropped at debug (a newer peer may send it); a malformed one at warn.
 * Returns the typed message, or null when it was dropped.
 */
export function receive<T>(schema: TypedUnion & z.ZodType<T>, raw: unknown, log: Logger): T | null {
  const parsed = parseMessage(schema, raw);
  if (parsed.ok) return parsed.value;

  const type = typeOf(raw);
  const known = schema.options.some((option) => option.shape.type.value === type);
  if (type !== undefined && !known) log.debug('dropped a message of unknown type', { type });
  else log.warn('dropped a malformed message', { error: parsed.error.message });

  return null;
}

function typeOf(raw: unknown): string | undefined {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }

  if (typeof value !== 'object' || value === null || !('type' in value)) return undefined;
  return typeof value.type === 'string' ? value.type : undefined;
}
