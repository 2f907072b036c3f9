import type { Server as HttpServer, IncomingMessage } from 'node:http';
import { Server, type ServerOptions } from 'socket.io';
import { MAX_RELAY_FRAME_BYTES, RELAY_PATH } from '../../shared/relay/protocol.ts';
import { isSameOrigin } from '../http/security-headers.ts';
import type { Logger } from '../log.ts';

/**
 * The socket.io server: 64 KiB frames at most, a dead peer noticed within 18 s, and no
 * CORS, since the console is served from this same origin. A browser handshake from
 * another origin is refused so that a foreign page cannot ride on the session cookie.
 */
export function createIo(http: HttpServer, log: Logger): Server {
  return new Server(http, { ...common(log), maxHttpBufferSize: 64 * 1024 });
}

/**
 * The relay's own socket.io server, at RELAY_PATH on the same port, with the same checks:
 * its message limit fits a relay frame (plus socket.io's few bytes), which the other
 * namespaces have no use for. Relay frames are encrypted and would not compress, so
 * per-message deflate stays off.
 */
export function createRelayIo(http: HttpServer, log: Logger): Server {
  return new Server(http, {
    ...common(log),
    path: RELAY_PATH,
    maxHttpBufferSize: MAX_RELAY_FRAME_BYTES + 1024,
    perMessageDeflate: false,
  });
}

function common(log: Logger): Partial<ServerOptions> {
  return {
    pingInterval: 10_000,
    pingTimeout: 8_000,
    serveClient: false,
    allowRequest: (req: IncomingMessage, callback: (err: string | null, ok: boolean) => void) => {
      const ok = isSameOrigin(req);
      if (!ok) log.warn({ origin: req.headers.origin }, 'cross-origin socket refused');
      callback(ok ? null : 'cross-origin', ok);
    },
  };
}
