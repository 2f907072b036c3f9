import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { TetherError } from '../../shared/errors.ts';

/**
 * Reads the query string of `req` with `schema`. A value that does not fit becomes a
 * `bad_request` naming the parameter in words, e.g. `The "from" parameter must be a
 * date and time.`
 */
export function readQuery<T>(req: IncomingMessage, schema: z.ZodType<T>): T {
  const search = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const values: Record<string, string> = {};
  for (const [name, value] of search) {
    if (value !== '') values[name] = value;
  }

  const result = schema.safeParse(values);
  if (result.success) return result.data;

  const issue = result.error.issues[0];
  const name = issue?.path[0];
  if (name === undefined) throw new TetherError('bad_request', `${issue?.message ?? 'Bad query'}.`);
  const problem =
    values[String(name)] === undefined ? 'is missing' : (issue?.message ?? 'is wrong');
  throw new TetherError('bad_request', `The "${String(name)}" parameter ${lowerFirst(problem)}.`);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
