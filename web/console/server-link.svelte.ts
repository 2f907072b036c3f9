import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import type { Capability } from '../../shared/capabilities.ts';
import { ErrorCode } from '../../shared/errors.ts';
import {
  CONSOLE_NAMESPACE,
  MESSAGE_EVENT,
  ServerToConsole,
  type ConsoleToServer,
} from '../../shared/protocol/console.ts';
import { SessionView } from '../../shared/protocol/views.ts';
import { receive } from '../lib/inbound.ts';
import { createLogger } from '../lib/log.ts';

/** What a new session asks for unless the technician changes it; staff decide what is granted. */
export const SESSION_CAPABILITIES: readonly Capability[] = ['logs.read', 'screen.view'];

/** A technician's request for a session, as the request form makes it. */
export interface SessionAsk {
  reason: string;
  capabilities: Capability[];
  /** A one-time code from the facility, 9 digits without spaces. */
  code?: string;
  /**
   * Unattended access: the access password the facility set on its agent. It stays in
   * this browser; only the exchange that proves it goes to the agent.
   */
  accessPassword?: string;
}

const log = createLogger('link');

/** The console's link to the signaling server, as the top bar shows it. */
export type LinkStatus = 'connecting' | 'online' | 'reconnecting' | 'closed';

/** The acknowledgement of a session.request, validated like any inbound message. */
const SessionRequestAck = z.union([
  z.object({ ok: z.literal(true), session: SessionView }),
  z.object({ ok: z.literal(false), code: ErrorCode, message: z.string().max(1000) }),
]);
export type SessionRequestAck = z.infer<typeof SessionRequestAck>;

/** The acknowledgement of a request that only says whether the server took it. */
const PlainAck = z.union([
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), code: ErrorCode, message: z.string().max(1000) }),
]);
export type PlainAck = z.infer<typeof PlainAck>;

export interface ServerLinkEvents {
  message(message: ServerToConsole): void;
  /** The server refused the cookie: the user must sign in again. */
  unauthenticated(): void;
}

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * The socket.io connection on `/console`. Every inbound message is validated here, so
 * the rest of the console only ever sees typed messages. socket.io-client retries with
 * backoff on its own; this class only reports the state and never gives up, except when
 * the server says the user is no longer signed in.
 */
export class ServerLink {
  status = $state<LinkStatus>('connecting');
  readonly #socket: Socket;
  readonly #events: ServerLinkEvents;

  constructor(events: ServerLinkEvents) {
    this.#events = events;
    this.#socket = io(CONSOLE_NAMESPACE, { withCredentials: true });

    this.#socket.on('connect', () => this.#setStatus('online'));
    this.#socket.on('disconnect', (reason) => {
      log.info('disconnected', { reason });
      if (this.status !== 'closed') this.#setStatus('reconnecting');
    });
    this.#socket.on('connect_error', (error) => this.#onConnectError(error));
    this.#socket.on(MESSAGE_EVENT, (raw: unknown) => this.#onMessage(raw));
  }

  /** Sends one message; socket.io buffers it while reconnecting. */
  send(message: ConsoleToServer): void {
    this.#socket.emit(MESSAGE_EVENT, message);
  }

  /**
   * Asks for a session and waits for the server's acknowledgement; `unattended` carries
   * the access password exchange's first message, never the password.
   */
  async requestSession(
    agentId: string,
    ask: SessionAsk,
    unattended?: { ke1: string },
  ): Promise<SessionRequestAck> {
    const message: ConsoleToServer = {
      type: 'session.request',
      agentId,
      capabilities: ask.capabilities,
      reason: ask.reason,
      ...(ask.code ? { code: ask.code } : {}),
      ...(unattended ? { unattended } : {}),
    };

    let raw: unknown;
    try {
      raw = await this.#socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(MESSAGE_EVENT, message);
    } catch {
      return { ok: false, code: 'internal', message: 'The server did not answer. Try again.' };
    }

    const ack = SessionRequestAck.safeParse(raw);
    if (ack.success) return ack.data;

    log.warn('malformed session.request acknowledgement');
    return { ok: false, code: 'bad_request', message: 'The server sent an unexpected answer.' };
  }

  /**
   * Asks the facility for more capabilities in a running session. The acknowledgement
   * only says the request went out; staff answer later with a capability.answer.
   */
  async requestCapabilities(sessionId: string, capabilities: Capability[]): Promise<PlainAck> {
    const message: ConsoleToServer = { type: 'capability.request', sessionId, capabilities };

    let raw: unknown;
    try {
      raw = await this.#socket.timeout(REQUEST_TIMEOUT_MS).emitWithAck(MESSAGE_EVENT, message);
    } catch {
      return { ok: false, code: 'internal', message: 'The server did not answer. Try again.' };
    }

    const ack = PlainAck.safeParse(raw);
    if (ack.success) return ack.data;

    log.warn('malformed capability.request acknowledgement');
    return { ok: false, code: 'bad_request', message: 'The server sent an unexpected answer.' };
  }

  /** Closes the socket for good (sign-out). Idempotent. */
  close(): void {
    if (this.status === 'closed') return;

    this.#setStatus('closed');
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
  }

  #setStatus(next: LinkStatus): void {
    if (this.status === next) return;

    log.info(`${this.status} -> ${next}`);
    this.status = next;
  }

  #onConnectError(error: Error): void {
    // A refusal by the namespace middleware is final for socket.io-client (no retry);
    // transport errors are retried by its reconnection policy.
    if (error.message === 'unauthenticated') {
      this.close();
      this.#events.unauthenticated();
      return;
    }

    log.debug('connect error', { message: error.message });
    if (this.status !== 'closed') this.#setStatus('reconnecting');
  }

  #onMessage(raw: unknown): void {
    const message = receive(ServerToConsole, raw, log);
    if (!message) return;

    log.debug('message', { type: message.type });
    this.#events.message(message);
  }
}
