import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import sirv from 'sirv';
import type { Logger } from '../log.ts';

type Handler = ReturnType<typeof sirv>;

/**
 * Serves the built console from `dir` as a single-page app: unknown paths get index.html.
 * The facility consent page is built into the same folder but is never served from here;
 * only the agent serves it, on the facility's own machine.
 */
export function staticFiles(dir: string, log: Logger) {
  let handler: Handler | undefined;
  let warned = false;

  // Made on first use, so a server started before `vite build` picks the files up later.
  const load = (): Handler | undefined => {
    if (handler || !existsSync(dir)) return handler;
    handler = sirv(dir, {
      single: true,
      etag: true,
      setHeaders: (res, pathname) => {
        const immutable = pathname.startsWith('/assets/');
        res.setHeader(
          'Cache-Control',
          immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        );
      },
    });
    return handler;
  };

  return (req: IncomingMessage, res: ServerResponse): void => {
    if (isConsentPath(req.url ?? '/')) return notFound(res);

    const serve = load();
    if (!serve) {
      if (!warned) log.warn({ dir }, 'console not built: run `npm run build`');
      warned = true;
      return notFound(res, 'The console has not been built.');
    }
    serve(req, res, () => notFound(res));
  };
}

/** Whether a request path names the consent page, however it is spelled or encoded. */
export function isConsentPath(url: string): boolean {
  let path = url.split('?')[0] ?? '/';
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep the raw path: sirv cannot map a malformed one to a file either.
  }
  const first =
    posix
      .normalize(path)
      .split('/')
      .find((part) => part !== '') ?? '';
  return /^consent(\.html?)?$/i.test(first);
}

function notFound(res: ServerResponse, text = 'Not found.'): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(text);
}
