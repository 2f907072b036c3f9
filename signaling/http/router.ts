import type { IncomingMessage, ServerResponse } from 'node:http';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export type RouteMatch =
  | { kind: 'found'; handler: RouteHandler }
  | { kind: 'wrong_method'; allow: string[] }
  | { kind: 'none' };

/** Exact-path routing by method. The API is small and flat, so no patterns are needed. */
export class Router {
  readonly #routes = new Map<string, Map<string, RouteHandler>>();

  add(method: string, path: string, handler: RouteHandler): this {
    const byMethod = this.#routes.get(path) ?? new Map<string, RouteHandler>();
    byMethod.set(method.toUpperCase(), handler);
    this.#routes.set(path, byMethod);
    return this;
  }

  /** Adds every route of `other`, so that each area of the API can keep its own file. */
  mount(other: Router): this {
    for (const [path, byMethod] of other.#routes) {
      for (const [method, handler] of byMethod) this.add(method, path, handler);
    }
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const byMethod = this.#routes.get(path);
    if (!byMethod) return { kind: 'none' };

    const handler = byMethod.get(method.toUpperCase());
    return handler
      ? { kind: 'found', handler }
      : { kind: 'wrong_method', allow: [...byMethod.keys()] };
  }
}
