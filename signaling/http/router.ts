import type { IncomingMessage, ServerResponse } from 'node:http';

/** Values of a pattern's `:name` segments, e.g. `{ id: 'usr-1' }` for `/api/admin/users/:id`. */
export type RouteParams = Readonly<Record<string, string>>;

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: RouteParams,
) => Promise<void>;

export type RouteMatch =
  | { kind: 'found'; handler: RouteHandler; pattern: string; params: RouteParams }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'none' };

/** One registered route, as the permission table names it. */
export interface RouteKey {
  method: string;
  pattern: string;
}

/** A segment of an ID in a path: what IDs, user names and agent IDs are made of. */
const PARAM = /^[A-Za-z0-9._~-]{1,80}$/;

/**
 * Routing by method and path pattern. A pattern is a plain path whose segments may be
 * `:name`, matching one URL segment of ID characters. Exact paths win over patterns.
 */
export class Router {
  readonly #routes = new Map<string, Map<string, RouteHandler>>();

  add(method: string, pattern: string, handler: RouteHandler): this {
    const byMethod = this.#routes.get(pattern) ?? new Map<string, RouteHandler>();
    byMethod.set(method.toUpperCase(), handler);
    this.#routes.set(pattern, byMethod);
    return this;
  }

  /** Adds every route of `other`, so that each area of the API can keep its own file. */
  mount(other: Router): this {
    for (const [pattern, byMethod] of other.#routes) {
      for (const [method, handler] of byMethod) this.add(method, pattern, handler);
    }
    return this;
  }

  /** Every registered route, e.g. for a test that each has a permission rule. */
  routes(): RouteKey[] {
    return [...this.#routes].flatMap(([pattern, byMethod]) =>
      [...byMethod.keys()].map((method) => ({ method, pattern })),
    );
  }

  match(method: string, path: string): RouteMatch {
    const found = this.#find(path);
    if (!found) return { kind: 'none' };

    const handler = found.byMethod.get(method.toUpperCase());
    return handler
      ? { kind: 'found', handler, pattern: found.pattern, params: found.params }
      : { kind: 'wrong_method', allow: [...found.byMethod.keys()] };
  }

  #find(path: string) {
    const exact = this.#routes.get(path);
    if (exact) return { pattern: path, byMethod: exact, params: {} };

    const parts = path.split('/');
    for (const [pattern, byMethod] of this.#routes) {
      if (!pattern.includes('/:')) continue;
      const params = matchPattern(pattern.split('/'), parts);
      if (params) return { pattern, byMethod, params };
    }
    return undefined;
  }
}

function matchPattern(pattern: string[], parts: string[]): RouteParams | null {
  if (pattern.length !== parts.length) return null;

  const params: Record<string, string> = {};
  for (const [i, segment] of pattern.entries()) {
    const part = parts[i] ?? '';
    if (segment.startsWith(':')) {
      if (!PARAM.test(part)) return null;
      params[segment.slice(1)] = part;
    } else if (segment !== part) {
      return null;
    }
  }
  return params;
}
