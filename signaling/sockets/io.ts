import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { isSameOrigin } from '../http/security-headers.ts';
import type { Logger } from '../log.ts';

/**
 * The socket.io server: 64 KiB frames at most, a dead peer noticed within 18 s, and no
 * CORS, since the console is served from this same origin. A browser handshake from
 * another origin is refused so that a foreign page cannot ride on the session cookie.
 */
export function createIo(http: HttpServer, log: Logger): Server {
  return new Server(http, {
    maxHttpBufferSize: 64 * 1024,
    pingInterval: 10_000,
    pingTimeout: 8_000,
    serveClient: false,
    allowRequest: (req, callback) => {
      const ok = isSameOrigin(req);
      if (!ok) log.warn({ origin: req.headers.origin }, 'cross-origin socket refused');
      callback(ok ? null : 'cross-origin', ok);
    },
  });
}
