import { startSignIn, type PendingSignIn } from '../../../shared/access-password.ts';
import type { ConsoleToServer } from '../../../shared/protocol/console.ts';
import { createLogger } from '../../lib/log.ts';

const log = createLogger('unattended');

/**
 * The browser's side of one unattended request: the access password exchange with the
 * agent (shared/access-password.ts). The password is used here and dropped; only the
 * exchange's public messages leave the browser. The agent's challenge can arrive before
 * the server's acknowledgement names the session, so it is held until then.
 */
export class UnattendedSignIn {
  readonly #pending: PendingSignIn;
  readonly #send: (message: ConsoleToServer) => void;
  #sessionId: string | null = null;
  #early: { sessionId: string; ke2: string } | null = null;
  #answered = false;

  private constructor(pending: PendingSignIn, send: (message: ConsoleToServer) => void) {
    this.#pending = pending;
    this.#send = send;
  }

  /** Starts the exchange with `password`; `first` is the message for the agent. */
  static async start(
    password: string,
    send: (message: ConsoleToServer) => void,
  ): Promise<UnattendedSignIn> {
    return new UnattendedSignIn(await startSignIn(password), send);
  }

  get first(): { ke1: string } {
    return { ke1: this.#pending.ke1 };
  }

  /** The server accepted the request as `sessionId`. */
  accepted(sessionId: string): void {
    this.#sessionId = sessionId;
    const early = this.#early;
    this.#early = null;
    if (early?.sessionId === sessionId) void this.challenge(sessionId, early.ke2);
  }

  /** The agent's challenge: answer it, proving the password or saying it did not fit. */
  async challenge(sessionId: string, ke2: string): Promise<void> {
    if (this.#sessionId === null) {
      this.#early = { sessionId, ke2 };
      return;
    }
    if (sessionId !== this.#sessionId || this.#answered) {
      log.debug('challenge for another request ignored', { sessionId });
      return;
    }

    this.#answered = true;
    const ke3 = await this.#pending.finish(ke2, sessionId);
    this.#send({ type: 'unattended.finish', sessionId, ...(ke3 === null ? {} : { ke3 }) });
  }
}
