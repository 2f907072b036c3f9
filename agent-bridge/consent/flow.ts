import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import { SessionMachine } from '../../shared/session-machine.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy.ts';
import type { SessionRegistry } from '../session/registry.ts';
import { Deadlines, grantableByPolicy } from './deadlines.ts';

type SessionRequest = Extract<ServerToAgent, { type: 'session.request' }>;

export interface ConsentFlowOptions {
  registry: SessionRegistry;
  policy: Policy;
  /** Sends a message to the signaling server. */
  send: (message: AgentToServer) => void;
  log: Logger;
}

/**
 * Decides session requests: local policy first, then facility staff on the consent page,
 * with a deadline. Nobody answering in `consentTimeoutSeconds` counts as a no.
 */
export class ConsentFlow {
  readonly #registry: SessionRegistry;
  readonly #policy: Policy;
  readonly #send: (message: AgentToServer) => void;
  readonly #log: Logger;
  readonly #deadlines = new Deadlines();

  constructor(options: ConsentFlowOptions) {
    this.#registry = options.registry;
    this.#policy = options.policy;
    this.#send = options.send;
    this.#log = options.log;
    // However a pending session ends, its deadline goes with it.
    this.#registry.on('ended', (session) => this.#deadlines.clear(session.id));
  }

  /** A technician asks for a session: refuse by policy at once, or wait for staff. */
  request(message: SessionRequest): void {
    const { sessionId } = message;
    if (this.#registry.has(sessionId)) {
      this.#log.debug({ sessionId }, 'repeated session request ignored');
      return;
    }

    const requested = [...new Set(message.capabilities)];
    const grantable = requested.filter((c) => grantableByPolicy(this.#policy, c));
    const timeoutMs = this.#policy.consentTimeoutSeconds * 1000;
    const requestedAt = new Date();
    this.#registry.add({
      id: sessionId,
      technician: message.technician,
      reason: message.reason,
      requested,
      grantable,
      granted: [],
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + timeoutMs).toISOString(),
      approvedAt: null,
      machine: new SessionMachine('requested'),
      capabilityRequest: null,
    });

    if (grantable.length === 0) {
      const detail = `Local policy does not allow: ${requested.join(', ')}.`;
      this.#log.info({ sessionId, requested }, 'session request refused by policy');
      this.#send({ type: 'session.deny', sessionId, reason: 'denied', detail });
      this.#registry.end(sessionId, 'denied', detail);
      return;
    }

    this.#registry.move(sessionId, 'awaiting_consent');
    this.#deadlines.set(sessionId, timeoutMs, () => this.#expire(sessionId));
    this.#log.info(
      { sessionId, technician: message.technician.username, grantable },
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

  /** Stops every deadline; pending sessions stay as they are. */
  dispose(): void {
    this.#deadlines.dispose();
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
