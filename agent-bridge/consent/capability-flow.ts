import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToServer } from '../../shared/protocol/agent.ts';
import type { AccessGate } from '../access/gate.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy.ts';
import type { LocalSession, SessionRegistry } from '../session/registry.ts';
import { Deadlines } from './deadlines.ts';

export interface CapabilityFlowOptions {
  registry: SessionRegistry;
  policy: Policy;
  /** Refuses, in words, what the switch or local policy does not allow. */
  access: AccessGate;
  send: (message: AgentToServer) => void;
  log: Logger;
}

/** Capabilities that make no sense without another: taking the first takes these too. */
const DEPENDENTS: Partial<Record<Capability, Capability[]>> = {
  // Driving a screen nobody sees is a hazard at a medical device, not a feature.
  'screen.view': ['screen.control'],
};

/**
 * More capabilities for a session that is already running: the technician asks, the
 * access gate refuses what the Remote access switch or local policy does not allow (the
 * whole request, in words), and staff answer the rest on the consent page within the
 * same deadline as a session request. Staff can also take a capability back at any time.
 * Every change goes to the server as the session's full new set (`capability.grant`),
 * and to the registry, whose 'granted' event tells the session's peer.
 */
export class CapabilityFlow {
  readonly #registry: SessionRegistry;
  readonly #policy: Policy;
  readonly #access: AccessGate;
  readonly #send: (message: AgentToServer) => void;
  readonly #log: Logger;
  readonly #deadlines = new Deadlines();

  constructor(options: CapabilityFlowOptions) {
    this.#registry = options.registry;
    this.#policy = options.policy;
    this.#access = options.access;
    this.#send = options.send;
    this.#log = options.log;
    this.#registry.on('ended', (session) => this.#deadlines.clear(session.id));
  }

  /** Whether `sessionId` has a capability request waiting for staff. */
  has(sessionId: string): boolean {
    return this.#registry.get(sessionId)?.capabilityRequest != null;
  }

  /** The technician asks for `capabilities` in a running session. */
  request(sessionId: string, capabilities: Capability[]): void {
    const requested = [...new Set(capabilities)];
    const session = this.#registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      this.#deny(sessionId, requested, 'This session is not running at the facility.');
      return;
    }
    if (session.capabilityRequest) {
      this.#deny(sessionId, requested, 'An earlier request is still waiting for the facility.');
      return;
    }

    const missing = requested.filter((c) => !session.granted.includes(c));
    if (missing.length === 0) {
      // Nothing to ask staff: the answer is the set the session already has.
      this.#grant(session, session.granted, requested);
      return;
    }
    const refused = this.#access.refusal(missing);
    if (refused) {
      this.#log.info({ sessionId, requested, detail: refused }, 'capability request refused');
      this.#deny(sessionId, requested, refused);
      return;
    }

    const timeoutMs = this.#policy.consentTimeoutSeconds * 1000;
    const requestedAt = new Date();
    this.#registry.setCapabilityRequest(sessionId, {
      requested,
      grantable: missing,
      requestedAt: requestedAt.toISOString(),
      expiresAt: new Date(requestedAt.getTime() + timeoutMs).toISOString(),
    });
    this.#deadlines.set(sessionId, timeoutMs, () => this.#expire(sessionId));
    this.#log.info({ sessionId, grantable: missing }, 'capability request awaiting consent');
  }

  /** Staff approved a non-empty part of what may be granted. */
  approve(sessionId: string, capabilities: Capability[]): void {
    const { session, request } = this.#pending(sessionId);
    const approved = [...new Set(capabilities)];
    if (approved.length === 0 || approved.some((c) => !request.grantable.includes(c))) {
      throw new TetherError(
        'capability_not_allowed',
        `Only ${request.grantable.join(', ')} may be granted for this request.`,
      );
    }

    this.#close(sessionId);
    const granted = [...session.granted, ...approved.filter((c) => !session.granted.includes(c))];
    this.#grant(session, granted, request.requested);
    this.#log.info({ sessionId, approved }, 'capability request approved by facility staff');
  }

  /** Staff said no. */
  deny(sessionId: string): void {
    const { request } = this.#pending(sessionId);

    this.#close(sessionId);
    this.#send({
      type: 'capability.deny',
      sessionId,
      requested: request.requested,
      reason: 'denied',
    });
    this.#log.info({ sessionId }, 'capability request denied by facility staff');
  }

  /** Staff take `capability` back from a running session (and what depends on it). */
  revoke(sessionId: string, capability: Capability): void {
    const session = this.#registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      throw new TetherError('not_found', 'This session has ended.');
    }
    if (!session.granted.includes(capability)) {
      throw new TetherError('invalid_state', 'The session does not have that permission.');
    }

    const taken = [capability, ...(DEPENDENTS[capability] ?? [])];
    this.#grant(
      session,
      session.granted.filter((c) => !taken.includes(c)),
      [],
    );
    this.#log.info({ sessionId, capability }, 'capability taken back by facility staff');
  }

  /** Denies every capability request still waiting for staff, with `detail` as the reason. */
  refuseAllPending(detail: string): void {
    for (const session of this.#registry.capabilityRequests()) {
      const request = session.capabilityRequest;
      if (!request) continue;
      this.#close(session.id);
      this.#deny(session.id, request.requested, detail);
    }
  }

  /** Stops every deadline. */
  dispose(): void {
    this.#deadlines.dispose();
  }

  #grant(session: LocalSession, granted: Capability[], requested: Capability[]): void {
    this.#send({ type: 'capability.grant', sessionId: session.id, granted, requested });
    this.#registry.setGranted(session.id, granted);
  }

  #deny(sessionId: string, requested: Capability[], detail: string): void {
    this.#send({ type: 'capability.deny', sessionId, requested, reason: 'denied', detail });
  }

  #expire(sessionId: string): void {
    const request = this.#registry.get(sessionId)?.capabilityRequest;
    if (!request) return;

    this.#registry.setCapabilityRequest(sessionId, null);
    this.#send({
      type: 'capability.deny',
      sessionId,
      requested: request.requested,
      reason: 'consent_timeout',
    });
    this.#log.info({ sessionId }, 'capability request timed out');
  }

  #pending(sessionId: string) {
    const session = this.#registry.get(sessionId);
    const request = session?.capabilityRequest;
    if (!session || !request) throw new TetherError('not_found', 'This request is no longer open.');
    return { session, request };
  }

  #close(sessionId: string): void {
    this.#deadlines.clear(sessionId);
    this.#registry.setCapabilityRequest(sessionId, null);
  }
}
