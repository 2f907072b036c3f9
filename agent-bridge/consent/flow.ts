import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import { SessionMachine } from '../../shared/session-machine.ts';
import type { AccessGate } from '../access/gate.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy.ts';
import type { LocalSession, SessionRegistry } from '../session/registry.ts';
import { Deadlines } from './deadlines.ts';

/** A request that carries both a one-time code and the access password exchange. */
const ONE_WAY_IN = 'A request comes either with a one-time code or unattended, not both.';

type SessionRequest = Extract<ServerToAgent, { type: 'session.request' }>;

/** How a session was approved without anyone at the facility answering a prompt. */
type ApprovedAtOnce = 'code' | 'unattended';

export interface ConsentFlowOptions {
  registry: SessionRegistry;
  policy: Policy;
  /** Decides whether a request may start, and whether staff are asked. */
  access: AccessGate;
  /** Sends a message to the signaling server. */
  send: (message: AgentToServer) => void;
  log: Logger;
}

/**
 * Decides session requests: the access gate first (the Remote access switch, local
 * policy, a one-time code), then facility staff on the consent page, with a deadline.
 * Nobody answering in `consentTimeoutSeconds` counts as a no. An unattended request
 * instead runs the access password exchange and is approved or refused without staff.
 */
export class ConsentFlow {
  readonly #registry: SessionRegistry;
  readonly #policy: Policy;
  readonly #access: AccessGate;
  readonly #send: (message: AgentToServer) => void;
  readonly #log: Logger;
  readonly #deadlines = new Deadlines();
  /** Running sessions that a one-time code started, for the consent page to say so. */
  readonly #byCode = new Set<string>();
  /** Running sessions that the access password started, with nobody asked. */
  readonly #unattended = new Set<string>();
  /** Unattended requests whose password exchange is under way, kept out of staff's view. */
  readonly #exchanging = new Map<string, LocalSession>();

  constructor(options: ConsentFlowOptions) {
    this.#registry = options.registry;
    this.#policy = options.policy;
    this.#access = options.access;
    this.#send = options.send;
    this.#log = options.log;
    // However a pending session ends, its deadline goes with it.
    this.#registry.on('ended', (session) => {
      this.#deadlines.clear(session.id);
      this.#byCode.delete(session.id);
      this.#unattended.delete(session.id);
    });
    this.#access.unattended.on('expired', (sessionId, detail) => {
      const session = this.#exchanging.get(sessionId);
      this.#exchanging.delete(sessionId);
      if (session) this.#refuse(session, detail);
    });
  }

  /**
   * A technician asks for a session: refused at once (switched off, beyond policy, a
   * code that does not hold), approved at once by a good code, or put to staff.
   */
  request(message: SessionRequest): void {
    const { sessionId } = message;
    if (this.#registry.has(sessionId) || this.#exchanging.has(sessionId)) {
      this.#log.debug({ sessionId }, 'repeated session request ignored');
      return;
    }

    const requested = [...new Set(message.capabilities)];
    const session = this.#newSession(message, requested);
    if (message.unattended) {
      this.#requestUnattended(session, message.unattended.ke1, message.code !== undefined);
      return;
    }
    const admission = this.#access.admit(requested, message.code);
    if (admission.kind === 'refuse') return this.#refuse(session, admission.detail);
    if (admission.kind !== 'ask_staff') {
      this.#approveAtOnce(session, admission.granted, 'code');
      return;
    }

    const timeoutMs = this.#policy.consentTimeoutSeconds * 1000;
    this.#registry.add(session);
    this.#registry.move(sessionId, 'awaiting_consent');
    this.#deadlines.set(sessionId, timeoutMs, () => this.#expire(sessionId));
    this.#log.info(
      { sessionId, technician: message.technician.username, requested },
      'session awaiting consent',
    );
  }

  /**
   * The technician's browser answered the agent's unattended challenge: approved at once
   * with what unattended access grants, or refused in words (a wrong password).
   */
  finishUnattended(sessionId: string, ke3: string | undefined): void {
    const session = this.#exchanging.get(sessionId);
    if (!session) {
      this.#log.debug({ sessionId }, 'answer to no unattended exchange ignored');
      return;
    }

    this.#exchanging.delete(sessionId);
    const result = this.#access.unattended.finish(sessionId, ke3);
    if (!result.ok) return this.#refuse(session, result.detail);
    this.#approveAtOnce(session, result.granted, 'unattended');
  }

  /** A session the server ended while its unattended exchange was under way. */
  forgetUnattended(sessionId: string): void {
    if (!this.#exchanging.delete(sessionId)) return;
    this.#access.unattended.forget(sessionId);
  }

  /** Staff approved; `capabilities` must be a non-empty part of what may be granted. */
  approve(sessionId: string, capabilities: Capability[]): void {
    const session = this.#pending(sessionId);
    const granted = [...new Set(capabilities)];
    const refused = granted.filter((c) => !session.grantable.includes(c));
    if (granted.length === 0 || refused.length > 0) {
      throw new TetherError(
        'capability_not_allowed',
        `Only ${session.grantable.join(', ')} may be granted for this request.`,
      );
    }

    this.#deadlines.clear(sessionId);
    session.granted = granted;
    session.approvedAt = new Date().toISOString();
    this.#registry.move(sessionId, 'approved');
    this.#send({ type: 'session.approve', sessionId, capabilities: granted });
    this.#log.info({ sessionId, granted }, 'session approved by facility staff');
  }

  /** Staff said no. */
  deny(sessionId: string): void {
    this.#pending(sessionId);

    this.#send({ type: 'session.deny', sessionId, reason: 'denied' });
    this.#registry.end(sessionId, 'denied');
    this.#log.info({ sessionId }, 'session denied by facility staff');
  }

  /**
   * Denies every request still waiting for staff, and every unattended exchange under
   * way, with `detail` as the reason.
   */
  refuseAllPending(detail: string): void {
    for (const session of this.#registry.pending()) {
      this.#send({ type: 'session.deny', sessionId: session.id, reason: 'denied', detail });
      this.#registry.end(session.id, 'denied', detail);
    }
    for (const session of [...this.#exchanging.values()]) {
      this.forgetUnattended(session.id);
      this.#refuse(session, detail);
    }
  }

  /** Whether a one-time code started this running session. */
  startedByCode(sessionId: string): boolean {
    return this.#byCode.has(sessionId);
  }

  /** Whether the access password started this running session, with nobody asked. */
  startedUnattended(sessionId: string): boolean {
    return this.#unattended.has(sessionId);
  }

  /** Stops every deadline; pending sessions stay as they are. */
  dispose(): void {
    this.#deadlines.dispose();
  }

  /**
   * An unattended request: policy decides whether this technician may try now, then the
   * access password exchange runs with the technician's browser through the server. The
   * session stays out of the registry (and off the consent page) until it is decided.
   */
  #requestUnattended(session: LocalSession, ke1: string, withCode: boolean): void {
    const admission = withCode
      ? { kind: 'refuse' as const, detail: ONE_WAY_IN }
      : this.#access.admitUnattended(session.requested, session.technician);
    if (admission.kind === 'refuse') return this.#refuse(session, admission.detail);
    if (admission.kind !== 'unattended') return;

    this.#exchanging.set(session.id, session);
    this.#access.unattended.begin(session.id, ke1, admission.granted).then(
      (start) => {
        if (!this.#exchanging.has(session.id)) return this.#access.unattended.forget(session.id);
        if (start.kind === 'refuse') {
          this.#exchanging.delete(session.id);
          return this.#refuse(session, start.detail);
        }
        this.#send({ type: 'unattended.challenge', sessionId: session.id, ke2: start.ke2 });
        this.#log.info(
          { sessionId: session.id, technician: session.technician.username },
          'unattended request: access password challenge sent',
        );
      },
      (error: unknown) => {
        this.#exchanging.delete(session.id);
        this.#log.error({ err: error, sessionId: session.id }, 'unattended exchange failed');
        this.#refuse(session, 'The facility agent could not check the access password.');
      },
    );
  }

  /** Refuses a new request at once; it shows among staff's recent sessions. */
  #refuse(session: LocalSession, detail: string): void {
    const sessionId = session.id;
    this.#registry.add(session);
    this.#log.info({ sessionId, requested: session.requested, detail }, 'session request refused');
    this.#send({ type: 'session.deny', sessionId, reason: 'denied', detail });
    this.#registry.end(sessionId, 'denied', detail);
  }

  #newSession(message: SessionRequest, requested: LocalSession['requested']): LocalSession {
    const requestedAt = new Date();
    const timeoutMs = this.#policy.consentTimeoutSeconds * 1000;
    return {
      id: message.sessionId,
      technician: message.technician,
      reason: message.reason,
      requested,
      grantable: requested,
      granted: [],
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + timeoutMs).toISOString(),
      approvedAt: null,
      machine: new SessionMachine('requested'),
      capabilityRequest: null,
    };
  }

  /**
   * Staff made the code, or facility IT set the access password and the policy named the
   * technician, so that is the facility's approval: the session joins the registry
   * already approved, and the consent page never shows it as a question.
   */
  #approveAtOnce(
    session: LocalSession,
    granted: LocalSession['granted'],
    how: ApprovedAtOnce,
  ): void {
    session.machine.to('awaiting_consent');
    session.machine.to('approved');
    session.granted = granted;
    session.approvedAt = new Date().toISOString();
    (how === 'code' ? this.#byCode : this.#unattended).add(session.id);
    this.#registry.add(session);

    this.#send({
      type: 'session.approve',
      sessionId: session.id,
      capabilities: granted,
      ...(how === 'code' ? { oneTimeCode: true } : { unattended: true }),
    });
    this.#log.info(
      { sessionId: session.id, granted },
      how === 'code' ? 'session approved by a one-time code' : 'session approved unattended',
    );
  }

  #expire(sessionId: string): void {
    if (this.#registry.get(sessionId)?.machine.state !== 'awaiting_consent') return;

    this.#send({ type: 'session.deny', sessionId, reason: 'consent_timeout' });
    this.#registry.end(sessionId, 'consent_timeout');
    this.#log.info({ sessionId }, 'session request timed out');
  }

  #pending(sessionId: string) {
    const session = this.#registry.get(sessionId);
    if (!session) throw new TetherError('not_found', 'This request is no longer open.');
    if (session.machine.state !== 'awaiting_consent') {
      throw new TetherError('invalid_state', 'This request was already answered.');
    }
    return session;
  }
}
