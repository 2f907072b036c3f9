import { KE1, KE3, type ExpectedAuthResult } from '@cloudflare/opaque-ts';
import { EventEmitter } from 'node:events';
import {
  CREDENTIAL_ID,
  fromBase64,
  OPAQUE_CONFIG,
  toBase64,
} from '../../shared/access-password.ts';
import type { Capability } from '../../shared/capabilities.ts';
import type { Person } from '../../shared/protocol/common.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { WrongCodeSlowdown } from './slowdown.ts';
import { facilityTimeZone, type UnattendedSettings } from './unattended-settings.ts';
import { loadVerifier, type Verifier } from './unattended-verifier.ts';
import { inWindow, nextOpening } from './unattended-window.ts';
import {
  EXCHANGE_EXPIRED,
  EXCHANGE_MALFORMED,
  NO_PASSWORD_SET,
  notNamedWords,
  outsideWindowWords,
  passwordWaitWords,
  UNATTENDED_DISABLED,
  UNATTENDED_NOBODY,
  unattendedCapabilityWords,
  WRONG_PASSWORD,
} from './unattended-words.ts';
import { capabilityWords } from './words.ts';

/** How long a technician's browser has to answer the agent's challenge. */
export const EXCHANGE_TIMEOUT_MS = 60_000;

/** The first step: the agent's challenge for the browser, or a refusal in words. */
export type UnattendedStart =
  { kind: 'refuse'; detail: string } | { kind: 'challenge'; ke2: string };

/** The last step: approved with `granted`, or refused in words. */
export type UnattendedFinish = { ok: true; granted: Capability[] } | { ok: false; detail: string };

interface Exchange {
  server: Verifier['server'];
  expected: ExpectedAuthResult;
  granted: Capability[];
  timer: NodeJS.Timeout;
}

export interface UnattendedOptions {
  settings: UnattendedSettings;
  /** The agent's data folder, where the verifier lives. */
  dataDir: string;
  /** Wrong passwords slow down, for the whole agent. */
  slowdown: WrongCodeSlowdown;
  log: Logger;
  /** The clock; a test's own. */
  now?: () => Date;
  exchangeTimeoutMs?: number;
}

/**
 * Unattended access: who may come in, when, and the proof of the access password. The
 * proof is the server side of OPAQUE (see shared/access-password.ts), bound to the
 * session: `begin` answers the browser's first message with a challenge, `finish` checks
 * the browser's last. Every challenge counts as a wrong password until its answer proves
 * otherwise, so that a guesser who never answers is slowed down like one who answers
 * wrongly. An exchange left unanswered expires and says so (`expired`).
 */
export class UnattendedAccess extends EventEmitter<{ expired: [string, string] }> {
  readonly #options: UnattendedOptions;
  readonly #exchanges = new Map<string, Exchange>();

  constructor(options: UnattendedOptions) {
    super();
    this.#options = options;
  }

  /**
   * Why the policy does not let `technician` start an unattended session with
   * `requested` now, or null when it does. Checks, in order: enabled, who, what, when.
   */
  refusal(technician: Person, requested: readonly Capability[]): string | null {
    const { settings } = this.#options;
    if (!settings.enabled) return UNATTENDED_DISABLED;
    if (settings.technicians.length === 0 && settings.organisations.length === 0) {
      return UNATTENDED_NOBODY;
    }
    const named =
      settings.technicians.includes(technician.username) ||
      settings.organisations.includes(technician.organisation);
    if (!named) return notNamedWords(technician);
    if (requested.some((c) => !settings.capabilities.includes(c))) {
      return unattendedCapabilityWords(capabilityWords(settings.capabilities));
    }

    const now = this.#now();
    const timeZone = facilityTimeZone(settings);
    if (!inWindow(settings.windows, timeZone, now)) {
      return outsideWindowWords(nextOpening(settings.windows, timeZone, now), timeZone, now);
    }
    return null;
  }

  /**
   * Answers the browser's first message for `sessionId` (already admitted by `refusal`)
   * with the agent's challenge, unless wrong passwords must wait, no password is set,
   * or the message is not one.
   */
  async begin(sessionId: string, ke1: string, granted: Capability[]): Promise<UnattendedStart> {
    const { slowdown, log } = this.#options;
    const wait = slowdown.waitMs();
    if (wait > 0) {
      log.info({ sessionId, waitMs: wait }, 'unattended attempt refused unchecked: slowdown');
      return { kind: 'refuse', detail: passwordWaitWords(wait) };
    }
    const verifier = this.#verifier();
    if (!verifier) return { kind: 'refuse', detail: NO_PASSWORD_SET };

    let first: KE1;
    try {
      first = KE1.deserialize(OPAQUE_CONFIG, fromBase64(ke1));
    } catch {
      return { kind: 'refuse', detail: EXCHANGE_MALFORMED };
    }
    const answer = await verifier.server.authInit(
      first,
      verifier.record,
      CREDENTIAL_ID,
      undefined,
      sessionId,
    );
    if (answer instanceof Error) return { kind: 'refuse', detail: EXCHANGE_MALFORMED };

    slowdown.wrong();
    const timeoutMs = this.#options.exchangeTimeoutMs ?? EXCHANGE_TIMEOUT_MS;
    const timer = setTimeout(() => this.#expire(sessionId), timeoutMs);
    this.#exchanges.set(sessionId, {
      server: verifier.server,
      expected: answer.expected,
      granted,
      timer,
    });
    return { kind: 'challenge', ke2: toBase64(answer.ke2.serialize()) };
  }

  /**
   * Checks the browser's last message for `sessionId`; none means the browser found the
   * password wrong itself. A good one clears the slowdown and approves.
   */
  finish(sessionId: string, ke3: string | undefined): UnattendedFinish {
    const { slowdown, log } = this.#options;
    const exchange = this.#exchanges.get(sessionId);
    if (!exchange) return { ok: false, detail: EXCHANGE_EXPIRED };
    this.forget(sessionId);

    if (ke3 !== undefined && this.#proves(exchange, ke3)) {
      slowdown.reset();
      return { ok: true, granted: exchange.granted };
    }
    log.warn({ sessionId, wrongInARow: slowdown.wrongCount }, 'wrong access password');
    return { ok: false, detail: WRONG_PASSWORD };
  }

  /** Whether an exchange for `sessionId` waits for the browser's answer. */
  has(sessionId: string): boolean {
    return this.#exchanges.has(sessionId);
  }

  /** Drops the exchange of a session that ended meanwhile. */
  forget(sessionId: string): void {
    const exchange = this.#exchanges.get(sessionId);
    if (!exchange) return;

    clearTimeout(exchange.timer);
    this.#exchanges.delete(sessionId);
  }

  /** Stops every exchange's clock; for shutdown. */
  dispose(): void {
    for (const sessionId of [...this.#exchanges.keys()]) this.forget(sessionId);
  }

  #proves(exchange: Exchange, ke3: string): boolean {
    try {
      const last = KE3.deserialize(OPAQUE_CONFIG, fromBase64(ke3));
      return !(exchange.server.authFinish(last, exchange.expected) instanceof Error);
    } catch {
      return false;
    }
  }

  #verifier(): Verifier | null {
    try {
      return loadVerifier(this.#options.dataDir);
    } catch (error) {
      this.#options.log.error({ error: describeError(error) }, 'access password unreadable');
      return null;
    }
  }

  #expire(sessionId: string): void {
    if (!this.#exchanges.has(sessionId)) return;

    this.forget(sessionId);
    this.#options.log.warn({ sessionId }, 'unattended exchange not answered in time');
    this.emit('expired', sessionId, EXCHANGE_EXPIRED);
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}
