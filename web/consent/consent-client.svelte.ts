import { io, type Socket } from 'socket.io-client';
import type { Capability } from '../../shared/capabilities.ts';
import {
  AgentToConsent,
  type ConsentState,
  type ConsentToAgent,
  type FacilityRecord,
} from '../../shared/protocol/consent.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import type { UpdateDecision } from '../../shared/software.ts';
import { receive } from '../lib/inbound.ts';
import { createLogger } from '../lib/log.ts';

const log = createLogger('consent');

/** The page's link to the agent that serves it. */
export type AgentLinkStatus = 'connecting' | 'connected' | 'lost';

/**
 * The consent page's connection to the agent on this computer (same origin, default
 * namespace). The agent pushes its whole state on every change, so the page never
 * patches state itself: it shows the latest push and sends staff decisions.
 */
export class ConsentClient {
  status = $state<AgentLinkStatus>('connecting');
  state = $state.raw<ConsentState | null>(null);
  /** The facility's own ledger: its newest events and whether its chain holds. */
  record = $state.raw<FacilityRecord | null>(null);
  /** The agent's latest complaint about something the page sent, in words. */
  error = $state<string | null>(null);
  /** Requests with an answer on its way, so their buttons do not fire twice. */
  answering = $state<string[]>([]);
  /** Active sessions staff asked to end, waiting for the agent to confirm. */
  ending = $state<string[]>([]);
  /** Sessions whose remote control staff asked to stop, until the agent confirms. */
  stopping = $state<string[]>([]);
  /** Software and licence deliveries with an answer on its way. */
  answeringUpdates = $state<string[]>([]);
  /** The agent's complaint about an update answer (a window already over, say). */
  updateError = $state<{ jobId: string; message: string } | null>(null);
  /**
   * The digits of the one-time code this page made. The agent keeps no copy, so only
   * this page has them, until the code is used, cancelled or expires.
   */
  code = $state<{ code: string; expiresAt: string } | null>(null);
  /** A code was asked for and its digits have not arrived yet. */
  creatingCode = $state(false);
  /** The Remote access switch was flipped and the agent has not confirmed yet. */
  switchingAccess = $state(false);
  readonly #socket: Socket;
  /** The delivery answered last: an error that follows it is about that delivery. */
  #lastUpdate: string | null = null;

  constructor() {
    this.#socket = io({ withCredentials: false });
    this.#socket.on('connect', () => {
      log.info('connected to the agent');
      this.status = 'connected';
    });
    this.#socket.on('disconnect', (reason) => {
      log.warn('lost the agent', { reason });
      this.status = 'lost';
    });
    this.#socket.on('connect_error', () => {
      if (this.state) this.status = 'lost';
    });
    this.#socket.on(MESSAGE_EVENT, (raw: unknown) => this.#onMessage(raw));
  }

  approve(sessionId: string, capabilities: Capability[]): void {
    if (capabilities.length === 0 || this.answering.includes(sessionId)) return;
    if (this.#send({ type: 'consent.approve', sessionId, capabilities })) {
      this.answering.push(sessionId);
    }
  }

  deny(sessionId: string): void {
    if (this.answering.includes(sessionId)) return;
    if (this.#send({ type: 'consent.deny', sessionId })) this.answering.push(sessionId);
  }

  end(sessionId: string): void {
    if (this.ending.includes(sessionId)) return;
    if (this.#send({ type: 'session.end', sessionId })) this.ending.push(sessionId);
  }

  /** Takes one capability back from a running session (Stop control). */
  revoke(sessionId: string, capability: Capability): void {
    if (this.stopping.includes(sessionId)) return;
    if (this.#send({ type: 'consent.revoke', sessionId, capability })) {
      this.stopping.push(sessionId);
    }
  }

  /** Staff's answer to a software or licence delivery: now, in a window, or declined. */
  answerUpdate(jobId: string, decision: UpdateDecision): void {
    if (this.answeringUpdates.includes(jobId)) return;
    if (this.#send({ type: 'update.answer', jobId, decision })) {
      this.updateError = null;
      this.#lastUpdate = jobId;
      this.answeringUpdates.push(jobId);
    }
  }

  /** Asks the agent for a one-time code good for one session with `capabilities`. */
  createCode(capabilities: Capability[]): void {
    if (capabilities.length === 0 || this.creatingCode) return;
    if (this.#send({ type: 'code.create', capabilities })) this.creatingCode = true;
  }

  cancelCode(): void {
    this.#send({ type: 'code.cancel' });
  }

  /** The Remote access switch: off refuses every request and code and ends sessions. */
  setRemoteAccess(on: boolean): void {
    if (this.switchingAccess) return;
    if (this.#send({ type: 'remote-access.set', on })) this.switchingAccess = true;
  }

  close(): void {
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
  }

  /** Sends a decision; refused while the agent is unreachable, so nothing fires late. */
  #send(message: ConsentToAgent): boolean {
    if (this.status !== 'connected') return false;

    this.error = null;
    this.#socket.emit(MESSAGE_EVENT, message);
    return true;
  }

  #onMessage(raw: unknown): void {
    const message = receive(AgentToConsent, raw, log);
    if (!message) return;

    if (message.type === 'code.created') {
      this.code = { code: message.code, expiresAt: message.expiresAt };
      this.creatingCode = false;
      return;
    }
    if (message.type === 'record.state') {
      this.record = message;
      return;
    }
    if (message.type === 'error') {
      this.creatingCode = false;
      this.switchingAccess = false;
      if (this.#lastUpdate && this.answeringUpdates.includes(this.#lastUpdate)) {
        this.updateError = { jobId: this.#lastUpdate, message: message.message };
        this.answeringUpdates = [];
        return;
      }
      this.error = message.message;
      this.answering = [];
      this.ending = [];
      this.stopping = [];
      return;
    }

    this.state = message;
    // The digits stay only while the code they belong to is the live one.
    if (this.code && message.access.code?.expiresAt !== this.code.expiresAt) this.code = null;
    this.switchingAccess = false;
    // A decision is done once its session moved on in the agent's state.
    this.answering = this.answering.filter((id) =>
      message.pending.some((request) => request.sessionId === id),
    );
    this.ending = this.ending.filter((id) =>
      message.active.some((session) => session.sessionId === id),
    );
    this.stopping = this.stopping.filter((id) =>
      message.active.some((session) => session.sessionId === id && session.controlling),
    );
    this.answeringUpdates = this.answeringUpdates.filter((id) =>
      message.updates.some((update) => update.jobId === id && update.phase === 'offered'),
    );
  }
}
