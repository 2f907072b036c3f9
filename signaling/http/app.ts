import type { IncomingMessage, ServerResponse } from 'node:http';
import { TetherError } from '../../shared/errors.ts';
import type { Logger } from '../log.ts';
import { sendError, sendJson } from './respond.ts';
import type { Router } from './router.ts';
import { isSameOrigin, setSecurityHeaders } from './security-headers.ts';

/**
 * The HTTP request listener: security headers on everything, the API under /api (and
 * /healthz) behind the permission table, the built console for the rest. socket.io
 * answers /socket.io itself.
 */
export function requestListener(deps: {
  api: Router;
  staticFiles: (req: IncomingMessage, res: ServerResponse) => void;
  /** The permission table's check, run before every API handler (see access.ts). */
  authorize: (req: IncomingMessage, method: string, pattern: string) => Promise<void>;
  log: Logger;
}) {
  const { api, staticFiles, authorize, log } = deps;

  return (req: IncomingMessage, res: ServerResponse): void => {
    setSecurityHeaders(req, res);
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';

    const match = api.match(method, path);
    if (match.kind === 'none' && !path.startsWith('/api/')) {
      if (method === 'GET' || method === 'HEAD') return staticFiles(req, res);
      return sendJson(res, 405, { code: 'bad_request', message: 'Method not allowed.' });
    }
    if (match.kind === 'none') {
      return sendError(res, { code: 'not_found', message: `No API at ${path}.` });
    }
    if (match.kind === 'wrong_method') {
      const body = { code: 'bad_request', message: `Use ${match.allow.join(' or ')} here.` };
      return sendJson(res, 405, body, { Allow: match.allow.join(', ') });
    }
    if (method !== 'GET' && method !== 'HEAD' && !isSameOrigin(req)) {
      log.warn({ path, origin: req.headers.origin }, 'cross-origin request refused');
      return sendError(res, { code: 'forbidden', message: 'Cross-origin requests are refused.' });
    }

    const { handler, pattern, params } = match;
    authorize(req, method, pattern)
      .catch((error: unknown) => {
        // A refused request's body is never read: drain it so the answer still arrives.
        req.resume();
        throw error;
      })
      .then(() => handler(req, res, params))
      .catch((error: unknown) => {
        if (error instanceof TetherError) {
          const level = error.code === 'forbidden' ? 'warn' : 'debug';
          log[level]({ path, code: error.code }, error.message);
          if (!res.headersSent) sendError(res, error.toBody());
          return;
        }
        log.error({ err: error, path }, 'request failed');
        if (!res.headersSent) sendError(res, { code: 'internal', message: 'The server failed.' });
        else res.destroy();
      });
  };
}
