import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';
import { Server as SocketServer, type Socket } from 'socket.io';
import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { UpdateDecision } from '../../shared/software.ts';
import { MAX_MESSAGE_CHARS, parseMessage } from '../../shared/protocol/common.ts';
import {
  ConsentToAgent,
  type AgentToConsent,
  type ConsentState,
  type FacilityRecord,
} from '../../shared/protocol/consent.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { hostAllowed, originAllowed, setSecurityHeaders } from './guard.ts';

/** What staff can do from the consent page. Each may throw a TetherError to refuse. */
export interface ConsentActions {
  approve(sessionId: string, capabilities: Capability[]): void;
  deny(sessionId: string): void;
  end(sessionId: string): void;
  /** Takes a capability back from a running session. */
  revoke(sessionId: string, capability: Capability): void;
  /** Answers a software or licence delivery; absent where the agent delivers none. */
  answerUpdate?(jobId: string, decision: UpdateDecision): void;
  /** Makes a one-time code; its digits go to the asking page only. */
  createCode(capabilities: Capability[]): { code: string; expiresAt: string };
  cancelCode(): void;
  /** The Remote access switch. */
  setRemoteAccess(on: boolean): void;
}

/** The facility's ledger as the page's Record shows it (see audit/tail.ts). */
export interface RecordSource {
  /** Reads the ledger and follows it. */
  start(): Promise<void>;
  view(): FacilityRecord;
  /** Checks the whole ledger again; `change` follows. */
  recheck(): Promise<void>;
  on(event: 'change', listener: () => void): unknown;
  close(): void;
}

export interface ConsentServerOptions {
  /** 0 picks a free port. */
  port: number;
  staticDir: string;
  log: Logger;
  state: () => ConsentState;
  actions: ConsentActions;
  /** The facility's own ledger, for the Record section; absent, the page shows none. */
  record?: RecordSource;
}

const KNOWN_TYPES = new Set<string>(ConsentToAgent.options.map((o) => o.shape.type.value));
const CONSENT_PAGE = 'consent.html';

/**
 * The facility's consent page, on loopback only: the built page and its assets over
 * HTTP, and a socket.io server (default namespace, event 'msg') that pushes the whole
 * ConsentState on connect and on every change and takes staff decisions.
 */
export class ConsentServer {
  readonly #options: ConsentServerOptions;
  readonly #log: Logger;
  readonly #http: Server;
  readonly #io: SocketServer;
  readonly #static: ReturnType<typeof sirv>;
  #port = 0;

  constructor(options: ConsentServerOptions) {
    this.#options = options;
    this.#log = options.log;
    // Dev mode reads files per request, so a rebuilt page is served without a restart.
    this.#static = sirv(options.staticDir, {
      dev: true,
      etag: true,
      dotfiles: false,
      extensions: [],
    });
    this.#http = createServer((req, res) => this.#serve(req, res));
    this.#io = new SocketServer(this.#http, {
      serveClient: false,
      maxHttpBufferSize: MAX_MESSAGE_CHARS,
      allowRequest: (req, callback) => {
        const allowed = hostAllowed(req, this.#port) && originAllowed(req, this.#port);
        if (!allowed) this.#log.warn({ host: req.headers.host }, 'consent socket refused');
        callback(allowed ? null : 'forbidden', allowed);
      },
    });
    this.#io.on('connection', (socket) => this.#onConnection(socket));
  }

  /** Starts listening on 127.0.0.1; resolves with the page's URL. */
  async listen(): Promise<string> {
    const { record } = this.#options;
    if (record) {
      record.on('change', () => this.#emit(this.#io, record.view()));
      await record.start();
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          reject(
            new UserError(
              `TETHER_CONSENT_PORT ${this.#options.port} is already in use; stop the other ` +
                'program or choose another port.',
            ),
          );
          return;
        }
        reject(error);
      };
      this.#http.once('error', onError);
      this.#http.listen(this.#options.port, '127.0.0.1', () => {
        this.#http.off('error', onError);
        resolve();
      });
    });

    this.#port = (this.#http.address() as AddressInfo).port;
    const url = `http://127.0.0.1:${this.#port}/`;
    if (!existsSync(join(this.#options.staticDir, CONSENT_PAGE))) {
      this.#log.warn(
        { staticDir: this.#options.staticDir },
        'consent page not built; run `npm run build` (TETHER_STATIC_DIR)',
      );
    }
    this.#log.info({ url }, 'consent page listening');

    return url;
  }

  /** Sends the current state to every open consent page. */
  broadcast(): void {
    this.#emit(this.#io, this.#options.state());
  }

  async close(): Promise<void> {
    this.#options.record?.close();
    // socket.io's close also closes the HTTP server; idle keep-alive sockets would hold it.
    const closed = new Promise<void>((resolve) => {
      void this.#io.close(() => resolve());
    });
    this.#http.closeAllConnections();
    await closed;
  }

  #serve(req: IncomingMessage, res: ServerResponse): void {
    setSecurityHeaders(res, this.#port);
    if (!hostAllowed(req, this.#port)) {
      this.#log.warn(
        { host: req.headers.host },
        'consent page request with a foreign Host refused',
      );
      return end(res, 403, 'Forbidden');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, 'Method not allowed');

    // Resolve dot segments first, so that /assets/../index.html cannot pass as an asset.
    const path = new URL(req.url ?? '/', 'http://consent.invalid').pathname;
    if (path === '/' || path === `/${CONSENT_PAGE}`) {
      req.url = `/${CONSENT_PAGE}`;
      res.setHeader('Cache-Control', 'no-store');
    } else if (/^\/assets\/[\w.-]+$/.test(path) || /^\/favicon\.\w+$/.test(path)) {
      req.url = path;
    } else {
      return end(res, 404, 'Not found');
    }

    this.#static(req, res, () => {
      const missingPage = req.url === `/${CONSENT_PAGE}`;
      end(res, missingPage ? 503 : 404, missingPage ? 'Consent page not built.' : 'Not found');
    });
  }

  #onConnection(socket: Socket): void {
    this.#log.debug({ id: socket.id }, 'consent page connected');
    this.#emit(socket, this.#options.state());
    const { record } = this.#options;
    if (record) {
      this.#emit(socket, record.view());
      // Someone opened the page: check the whole ledger, not only what was appended.
      void record.recheck();
    }
    socket.on(MESSAGE_EVENT, (raw: unknown) => this.#onMessage(socket, raw));
  }

  #onMessage(socket: Socket, raw: unknown): void {
    const parsed = parseMessage(ConsentToAgent, raw);
    if (!parsed.ok) {
      const type = typeof raw === 'object' && raw && 'type' in raw ? String(raw.type) : undefined;
      if (type !== undefined && !KNOWN_TYPES.has(type)) {
        this.#log.debug({ type }, 'unknown consent message dropped');
        return;
      }
      this.#log.warn({ error: parsed.error.message }, 'bad consent message');
      this.#emit(socket, { type: 'error', message: parsed.error.message });
      return;
    }

    const message = parsed.value;
    const { actions } = this.#options;
    try {
      if (message.type === 'consent.approve') {
        actions.approve(message.sessionId, message.capabilities);
      } else if (message.type === 'consent.deny') {
        actions.deny(message.sessionId);
      } else if (message.type === 'consent.revoke') {
        actions.revoke(message.sessionId, message.capability);
      } else if (message.type === 'update.answer') {
        if (!actions.answerUpdate) {
          throw new TetherError('not_found', 'This agent delivers no updates.');
        }
        actions.answerUpdate(message.jobId, message.decision);
      } else if (message.type === 'code.create') {
        // The digits exist only in this answer: other pages see that a code is live.
        this.#emit(socket, { type: 'code.created', ...actions.createCode(message.capabilities) });
      } else if (message.type === 'code.cancel') {
        actions.cancelCode();
      } else if (message.type === 'remote-access.set') {
        actions.setRemoteAccess(message.on);
      } else {
        actions.end(message.sessionId);
      }
    } catch (error) {
      if (!(error instanceof TetherError)) {
        this.#log.error({ err: error }, 'consent action failed');
      }
      const text =
        error instanceof TetherError ? error.message : 'The agent could not do that; see its log.';
      this.#emit(socket, { type: 'error', message: text });
    }
  }

  #emit(
    target: { emit(event: string, message: AgentToConsent): unknown },
    message: AgentToConsent,
  ) {
    target.emit(MESSAGE_EVENT, message);
  }
}

function end(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text);
}
