import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { TetherError, type ErrorBody } from '../../shared/errors.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import type { Logger } from '../log.ts';

/** What a handler may add to a successful acknowledgement. */
export type AckExtra = Record<string, unknown> | void;

/** The `type` names a discriminated-union schema accepts, read from the schema itself. */
export function messageTypes(union: { options: readonly unknown[] }): ReadonlySet<string> {
  const types = new Set<string>();
  for (const option of union.options) {
    const value = (option as { shape?: { type?: { value?: unknown } } }).shape?.type?.value;
    if (typeof value === 'string') types.add(value);
  }
  return types;
}

/**
 * Listens for `msg` on `socket` and hands each valid message to `handle`. Unknown types
 * are dropped; malformed ones and failures are answered with a coded error, through the
 * acknowledgement when the sender asked for one, else as an `error` message. Nothing a
 * client sends can throw out of here.
 */
export function onMessages<T extends { type: string }>(
  socket: Socket,
  options: {
    schema: z.ZodType<T>;
    types: ReadonlySet<string>;
    log: Logger;
    handle: (message: T) => Promise<AckExtra>;
  },
): void {
  const { schema, types, log, handle } = options;

  socket.on(MESSAGE_EVENT, (raw: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (body: unknown) => void) : undefined;
    const type = field(raw, 'type');
    const sessionId = field(raw, 'sessionId');
    const fail = (error: ErrorBody): void => {
      if (reply) reply({ ok: false, ...error });
      else socket.emit(MESSAGE_EVENT, { type: 'error', ...error, ...(sessionId && { sessionId }) });
    };

    if (type !== undefined && !types.has(type)) {
      log.debug({ type, socket: socket.id }, 'unknown message type dropped');
      reply?.({ ok: false, code: 'unknown_message', message: `Unknown message "${type}".` });
      return;
    }

    const parsed = parseMessage(schema, raw);
    if (!parsed.ok) {
      log.warn({ type, socket: socket.id, problem: parsed.error.message }, 'malformed message');
      return fail(parsed.error);
    }

    log.debug({ type, sessionId, socket: socket.id }, 'message');
    handle(parsed.value).then(
      (extra) => reply?.({ ok: true, ...extra }),
      (error: unknown) => {
        if (error instanceof TetherError) {
          const level = error.code === 'forbidden' ? 'warn' : 'debug';
          log[level]({ type, sessionId, code: error.code }, error.message);
          return fail(error.toBody());
        }
        log.error({ err: error, type, sessionId }, 'message handler failed');
        fail({ code: 'internal', message: 'The server failed to handle the message.' });
      },
    );
  });
}

function field(raw: unknown, name: string): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value = (raw as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.slice(0, 80) : undefined;
}
