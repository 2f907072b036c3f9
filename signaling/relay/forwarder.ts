import type { Socket } from 'socket.io';
import { TetherError } from '../../shared/errors.ts';
import { asBytes } from '../../shared/relay/bytes.ts';
import {
  isTookCount,
  MAX_RELAY_FRAME_BYTES,
  RELAY_FRAME_EVENT,
  RELAY_TOOK_EVENT,
  RELAY_WINDOW,
  type RelayRequest,
  type RelayServerToClient,
} from '../../shared/relay/protocol.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import type { SessionBroker } from '../sessions/broker.ts';

/** Which end sent a frame. */
export type RelaySide = 'console' | 'agent';

/** A test's view of every frame the server forwards: opaque bytes only. */
export type RelayTap = (frame: { sessionId: string; from: RelaySide; bytes: Uint8Array }) => void;

export interface RelayForwarderDeps {
  broker: SessionBroker;
  agents: AgentStore;
  audit: AuditLedger;
  /** Tells the agent, on its `/agent` connection, that a console asks for the relay. */
  toAgent(agentId: string, message: RelayRequest): void;
  /** Waits this long for the other end to take frames sent to it; default 10 s. */
  ackTimeoutMs?: number;
  tap?: RelayTap;
  log: Logger;
}

/** A sender with this many frames unacknowledged ignores its window, and is cut off. */
const MAX_IN_FLIGHT = RELAY_WINDOW * 2;

interface RelayPair {
  sessionId: string;
  agentId: string;
  technicianId: string;
  console: Socket;
  agent: Socket | null;
  /** Frames each side sent that the other has not yet said it took. */
  inFlight: Record<RelaySide, number>;
  /** Running while a side has frames in flight; reset whenever the other end takes some. */
  stalled: Record<RelaySide, ReturnType<typeof setTimeout> | undefined>;
  bytes: Record<RelaySide, number>;
  frames: Record<RelaySide, number>;
  joinedAt: number | null;
}

/**
 * The server's part of the relay: binds one console socket and one agent socket to a
 * session and forwards the frames between them unread. Only the session's technician
 * and its agent may join, only while the session is approved up to active. Each frame
 * is bounded in size and counts against its sender until the other end says it took it
 * (`took`, passed on to the sender), so at most a window of frames per direction sits
 * in this process; a receiver that stops taking them ends the relay. The relay's start and end are
 * audited with byte counts; the log sees sizes, never content.
 *
 * Pairs live in this node's memory, like the broker's sessions: several nodes need the
 * two ends pinned to one node (sticky sessions keyed by session) first.
 */
export class RelayForwarder {
  readonly #deps: RelayForwarderDeps;
  readonly #log: Logger;
  readonly #pairs = new Map<string, RelayPair>();
  readonly #bySocket = new Map<string, RelayPair>();

  constructor(deps: RelayForwarderDeps) {
    this.#deps = deps;
    this.#log = deps.log;
    deps.broker.onEnded((sessionId) => this.#close(sessionId, 'The session has ended.'));
  }

  /**
   * The technician's console asks for the relay. Answers with the agent's enrolled
   * identity key, against which the console checks the agent's signature.
   */
  async open(
    userId: string,
    socket: Socket,
    request: { sessionId: string; consoleKey: string },
  ): Promise<{ identityKey: string }> {
    const { sessionId, consoleKey } = request;
    const parties = this.#deps.broker.relayParties(sessionId, { userId });
    const agent = await this.#deps.agents.get(parties.agentId);
    if (!agent) throw new TetherError('not_found', 'The facility agent is no longer enrolled.');

    this.#close(sessionId, 'The console opened a new relay for this session.');
    const pair: RelayPair = {
      sessionId,
      ...parties,
      console: socket,
      agent: null,
      inFlight: { console: 0, agent: 0 },
      stalled: { console: undefined, agent: undefined },
      bytes: { console: 0, agent: 0 },
      frames: { console: 0, agent: 0 },
      joinedAt: null,
    };
    this.#pairs.set(sessionId, pair);
    this.#bySocket.set(socket.id, pair);
    this.#deps.toAgent(parties.agentId, { type: 'relay.open', sessionId, consoleKey });
    this.#log.info({ sessionId }, 'relay asked for by the console');

    return { identityKey: agent.publicKey };
  }

  /** The agent answers on its relay socket; its key and signature go on to the console. */
  async join(
    agentId: string,
    socket: Socket,
    answer: { sessionId: string; agentKey: string; signature: string },
  ): Promise<void> {
    const { sessionId } = answer;
    this.#deps.broker.relayParties(sessionId, { agentId });
    const pair = this.#pairs.get(sessionId);
    if (!pair || pair.agent) {
      throw new TetherError('invalid_state', 'No console is waiting for this relay.');
    }

    pair.agent = socket;
    pair.joinedAt = Date.now();
    this.#bySocket.set(socket.id, pair);
    send(pair.console, {
      type: 'relay.accept',
      sessionId,
      agentKey: answer.agentKey,
      signature: answer.signature,
    });
    await this.#deps.audit.append({
      sessionId,
      actor: `agent:${agentId}`,
      action: 'session.relay_started',
      detail: { technicianId: pair.technicianId },
    });
    this.#log.info({ sessionId }, 'relay started');
  }

  /** One frame from either end: checked, counted and passed on unread. */
  frame(socket: Socket, data: unknown): void {
    const pair = this.#bySocket.get(socket.id);
    if (!pair) {
      this.#log.warn({ socket: socket.id }, 'relay frame on a connection with no relay');
      return;
    }

    const from: RelaySide = pair.console === socket ? 'console' : 'agent';
    const to = from === 'console' ? pair.agent : pair.console;
    const bytes = asBytes(data);
    if (!to) {
      this.#close(pair.sessionId, `The ${from} sent a relay frame before the relay was open.`);
      return;
    }
    if (!bytes || bytes.length > MAX_RELAY_FRAME_BYTES) {
      this.#close(pair.sessionId, `The ${from} sent a relay frame that was not allowed.`);
      return;
    }
    if (pair.inFlight[from] >= MAX_IN_FLIGHT) {
      this.#close(pair.sessionId, `The ${from} sent faster than the relay allows.`);
      return;
    }

    pair.inFlight[from] += 1;
    pair.bytes[from] += bytes.length;
    pair.frames[from] += 1;
    pair.stalled[from] ??= this.#watch(pair);
    this.#deps.tap?.({ sessionId: pair.sessionId, from, bytes });
    this.#log.trace({ sessionId: pair.sessionId, from, size: bytes.length }, 'relay frame');
    to.emit(RELAY_FRAME_EVENT, bytes);
  }

  /**
   * One end took `count` more of the frames sent to it: they no longer count against
   * their sender, who is told so. A count that is not one, or more frames than are in
   * flight, ends the relay.
   */
  took(socket: Socket, count: unknown): void {
    const pair = this.#bySocket.get(socket.id);
    if (!pair) return;

    const taker: RelaySide = pair.console === socket ? 'console' : 'agent';
    const sender: RelaySide = taker === 'console' ? 'agent' : 'console';
    const to = sender === 'console' ? pair.console : pair.agent;
    if (!to || !isTookCount(count) || count > pair.inFlight[sender]) {
      this.#close(pair.sessionId, `The ${taker} acknowledged relay frames it was never sent.`);
      return;
    }

    pair.inFlight[sender] -= count;
    clearTimeout(pair.stalled[sender]);
    pair.stalled[sender] = pair.inFlight[sender] > 0 ? this.#watch(pair) : undefined;
    to.emit(RELAY_TOOK_EVENT, count);
  }

  /** Ends the relay if frames in flight are not taken in time. */
  #watch(pair: RelayPair): ReturnType<typeof setTimeout> {
    return setTimeout(
      () => this.#close(pair.sessionId, 'The other end of the relay stopped answering.'),
      this.#deps.ackTimeoutMs ?? 10_000,
    );
  }

  /** A relay socket went away: its pair cannot go on. */
  socketClosed(socket: Socket): void {
    const pair = this.#bySocket.get(socket.id);
    if (!pair) return;

    const who = pair.console === socket ? "technician's console" : 'facility agent';
    this.#close(pair.sessionId, `The ${who} lost its relay connection.`);
  }

  #close(sessionId: string, message: string): void {
    const pair = this.#pairs.get(sessionId);
    if (!pair) return;

    this.#pairs.delete(sessionId);
    clearTimeout(pair.stalled.console);
    clearTimeout(pair.stalled.agent);
    for (const socket of [pair.console, pair.agent]) {
      if (!socket) continue;
      this.#bySocket.delete(socket.id);
      send(socket, { type: 'relay.closed', sessionId, message });
    }
    if (pair.joinedAt === null) return;

    const detail = {
      reason: message,
      seconds: Math.round((Date.now() - pair.joinedAt) / 1000),
      bytesFromConsole: pair.bytes.console,
      bytesFromAgent: pair.bytes.agent,
    };
    this.#log.info({ sessionId, ...detail }, 'relay ended');
    this.#deps.audit
      .append({ sessionId, actor: 'system', action: 'session.relay_ended', detail })
      .catch((error: unknown) => this.#log.error({ err: error, sessionId }, 'relay audit failed'));
  }
}

function send(socket: Socket, message: RelayServerToClient): void {
  socket.emit(MESSAGE_EVENT, message);
}
