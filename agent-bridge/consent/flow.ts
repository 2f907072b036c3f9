import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import { SessionMachine } from '../../shared/session-machine.ts';
import type { AccessGate } from '../access/gate.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy.ts';
import type { LocalSession, SessionRegistry } from '../session/registry.ts';
import { Deadlines } from './deadlines.ts';

type SessionRequest = Extract<ServerToAgent, { type: 'session.request' }>;

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
 * Nobody answering in `consentTimeoutSeconds` counts as a no.
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
    });
  }

  /**
   * A technician asks for a session: refused at once (switched off, beyond policy, a
   * code that does not hold), approved at once by a good code, or put to staff.
   */
  request(message: SessionRequest): void {
    const { sessionId } = message;
    if (this.#registry.has(sessionId)) {
      this.#log.debug({ sessionId }, 'repeated session request ignored');
      return;
    }

    const requested = [...new Set(message.capabilities)];
    const admission = this.#access.admit(requested, message.code);
    const session = this.#newSession(message, requested);
    if (admission.kind === 'refuse') {
      this.#registry.add(session);
      this.#log.info({ sessionId, requested, detail: admission.detail }, 'session request refused');
      this.#send({ type: 'session.deny', sessionId, reason: 'denied', detail: admission.detail });
      this.#registry.end(sessionId, 'denied', admission.detail);
      return;
    }
    if (admission.kind === 'code') {
      this.#approveByCode(session, admission.granted);
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

  /** Denies every request still waiting for staff, with `detail` as the reason. */
  refuseAllPending(detail: string): void {
    for (const session of this.#registry.pending()) {
      this.#send({ type: 'session.deny', sessionId: session.id, reason: 'denied', detail });
      this.#registry.end(session.id, 'denied', detail);
    }
  }

  /** Whether a one-time code started this running session. */
  startedByCode(sessionId: string): boolean {
    return this.#byCode.has(sessionId);
  }

  /** Stops every deadline; pending sessions stay as they are. */
  dispose(): void {
    this.#deadlines.dispose();
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
   * Staff made the code, so the code is their approval: the session joins the registry
   * already approved, and the consent page never shows it as a question.
   */
  #approveByCode(session: LocalSession, granted: LocalSession['granted']): void {
    session.machine.to('awaiting_consent');
    session.machine.to('approved');
    session.granted = granted;
    session.approvedAt = new Date().toISOString();
    this.#byCode.add(session.id);
    this.#registry.add(session);

    this.#send({
      type: 'session.approve',
      sessionId: session.id,
      capabilities: granted,
      oneTimeCode: true,
    });
    this.#log.info({ sessionId: session.id, granted }, 'session approved by a one-time code');
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
