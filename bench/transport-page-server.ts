import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { WebSocketServer, type WebSocket } from 'ws';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const PAGE_SCRIPT = 'transport-page.js';
const PAGE_HTML =
  '<!doctype html><meta charset="utf-8"><title>Tether transport bench</title>' +
  `<script type="module" src="/${PAGE_SCRIPT}"></script>`;

/** The bench page's server on 127.0.0.1, and the plain WebSocket reference on it. */
export interface PageServer {
  /** The page, at `http://127.0.0.1:<port>/`. */
  url: string;
  /** The plain WebSocket endpoint the page connects to for the reference transfer. */
  webSocketUrl: string;
  /** The folder holding the page (index.html and its script), for another server to serve. */
  dir: string;
  /** Resolves with the next WebSocket the page opens. */
  nextWebSocket(): Promise<WebSocket>;
  close(): Promise<void>;
}

/**
 * Bundles bench/transport-page.ts into `outDir` with the console's browser settings:
 * `global` as `globalThis` and the `events`, `process` and `buffer` packages in place of
 * Node's (see vite.config.ts), next to an index.html that loads it, so that the signaling
 * server can serve the same page as its console (the relay rung). A failed build throws.
 */
export async function buildPage(outDir: string): Promise<void> {
  await build({
    configFile: false,
    root: REPO,
    logLevel: 'warn',
    define: { global: 'globalThis' },
    resolve: { alias: { events: 'events', process: 'process/browser', buffer: 'buffer' } },
    build: {
      outDir,
      emptyOutDir: true,
      lib: {
        entry: join(REPO, 'bench/transport-page.ts'),
        formats: ['es'],
        fileName: () => PAGE_SCRIPT,
      },
    },
  });
  writeFileSync(join(outDir, 'index.html'), PAGE_HTML);
}

/**
 * Serves the bundled page from `outDir` on a free port of 127.0.0.1: a page with an
 * origin, because Chromium blocks an origin-less page (about:blank) from opening
 * connections to loopback. The same server takes the page's WebSocket on /ws, without
 * compression, so the reference moves the same bytes as the other rungs.
 */
export async function startPageServer(outDir: string): Promise<PageServer> {
  const script = readFileSync(join(outDir, PAGE_SCRIPT));
  const http: Server = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(PAGE_HTML);
    } else if (request.url === `/${PAGE_SCRIPT}`) {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
    } else {
      response.writeHead(404).end();
    }
  });
  const wss = new WebSocketServer({ server: http, path: '/ws', perMessageDeflate: false });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}/`,
    dir: outDir,
    webSocketUrl: `ws://127.0.0.1:${port}/ws`,
    nextWebSocket: async () => ((await once(wss, 'connection')) as [WebSocket])[0],
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      http.close();
      await once(http, 'close');
    },
  };
}
