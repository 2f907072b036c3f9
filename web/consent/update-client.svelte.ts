import { io, type Socket } from 'socket.io-client';
import { AgentToConsent, type ConsentToAgent } from '../../shared/protocol/consent.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import type { UpdateDecision } from '../../shared/software.ts';
import { receive } from '../lib/inbound.ts';
import { createLogger } from '../lib/log.ts';

const log = createLogger('consent-updates');

/**
 * Sends staff's answers to software and licence deliveries. It has a socket of its own
 * to the agent, so that the agent's complaint about an answer (a window already over,
 * say) comes back here and is shown on the card it concerns. The page's state still
 * arrives through the main consent connection.
 */
export class UpdateClient {
  /** Deliveries with an answer on its way. */
  answering = $state<string[]>([]);
  /** The agent's last complaint, with the delivery it was about. */
  error = $state<{ jobId: string; message: string } | null>(null);
  readonly #socket: Socket;
  #last: string | null = null;

  constructor() {
    this.#socket = io({ withCredentials: false });
    this.#socket.on(MESSAGE_EVENT, (raw: unknown) => {
      const message = receive(AgentToConsent, raw, log);
      if (message?.type !== 'error' || !this.#last) return;
      this.error = { jobId: this.#last, message: message.message };
      this.answering = this.answering.filter((id) => id !== this.#last);
    });
  }

  answer(jobId: string, decision: UpdateDecision): void {
    if (this.answering.includes(jobId)) return;
    const message: ConsentToAgent = { type: 'update.answer', jobId, decision };
    this.error = null;
    this.#last = jobId;
    this.answering.push(jobId);
    this.#socket.emit(MESSAGE_EVENT, message);
  }

  /** The agent's state moved on: answers for deliveries no longer offered are done. */
  settle(offered: string[]): void {
    this.answering = this.answering.filter((id) => offered.includes(id));
  }

  close(): void {
    this.#socket.removeAllListeners();
    this.#socket.disconnect();
  }
}
