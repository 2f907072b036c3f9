import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { SignalData } from '../../shared/protocol/signal.ts';
import type { SessionView, UserView } from '../../shared/protocol/views.ts';
import {
  IllegalTransitionError,
  STATE_TEXT,
  SessionMachine,
  type EndReason,
  type SessionState,
} from '../../shared/session-machine.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import type { AgentRegistry } from '../agents/registry.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import type { IceIssuer } from '../turn/ice-issuer.ts';
import { newId, nowIso } from '../util.ts';
import { announce, sendConnect, type Outbox } from './announce.ts';
import { expectState, toSessionView, type OpenSession } from './open-session.ts';
import { DEFAULT_RECONNECT_GRACE_MS, ReconnectDeadlines } from './reconnect-deadlines.ts';
import type { SessionStore } from './session-store.ts';

export type { Outbox } from './announce.ts';

/** States in which the two peers may still be negotiating, so signals pass. */
const SIGNALLING: readonly SessionState[] = ['approved', 'connecting', 'active', 'reconnecting'];

export interface BrokerDeps {
  sessions: SessionStore;
  agents: AgentStore;
  registry: AgentRegistry;
  audit: AuditLedger;
  outbox: Outbox;
  log: Logger;
  /** ICE servers and TURN credentials for each approved session; absent, direct only. */
  ice?: Pick<IceIssuer, 'forSession'>;
  /** How long a session may be `reconnecting` before it ends. Default 60 s. */
  reconnectGraceMs?: number;
}

interface Change {
  actor: string;
  reason?: EndReason;
  detail?: string | null;
  /**
   * The one-time code of a request, passed to the agent with it and then gone: it is
   * never persisted, audited or logged.
   */
  oneTimeCode?: string;
  /** Likewise the first message of an unattended request's access password exchange. */
  unattended?: { ke1: string };
}

/**
 * The session broker: owns every open session's state machine and moves it only through
 * `#transition`, which persists, audits, logs and tells both sides, in that order.
 * Sessions live in this node's memory; running several nodes needs them shared first.
 */
export class SessionBroker {
  readonly #open = new Map<string, OpenSession>();
  readonly #deps: BrokerDeps;
  readonly #endListeners: ((sessionId: string) => void)[] = [];
  readonly #deadlines: ReconnectDeadlines;

  constructor(deps: BrokerDeps) {
    this.#deps = deps;
    this.#deadlines = new ReconnectDeadlines(deps.reconnectGraceMs ?? DEFAULT_RECONNECT_GRACE_MS);
  }

  /** How long a session may be reconnecting before it ends. */
  get reconnectGraceMs(): number {
    return this.#deadlines.graceMs;
  }

  /** Ends what a previous run left open: nobody is connected to carry it on. */
  async endLeftovers(): Promise<void> {
    for (const session of await this.#deps.sessions.listOpen()) {
      this.#open.set(session.id, session);
      await this.#end(session, 'failed', { actor: 'system', detail: 'server restarted' });
    }
  }

  /**
   * A technician asks for a session with an online agent, perhaps with a one-time code
   * from the facility for the agent to check, or unattended with the first message of
   * the access password exchange. Answers once the agent was asked.
   */
  async request(
    user: UserView,
    ask: {
      agentId: string;
      capabilities: Capability[];
      reason: string;
      code?: string;
      unattended?: { ke1: string };
    },
  ): Promise<SessionView> {
    if (user.role === 'expert') {
      throw new TetherError('forbidden', 'Experts join sessions by invitation.');
    }
    if (ask.code !== undefined && ask.unattended !== undefined) {
      throw new TetherError(
        'bad_request',
        'Ask either with a one-time code or for unattended access, not both.',
      );
    }
    const agent = await this.#deps.agents.get(ask.agentId);
    if (!agent) throw new TetherError('not_found', 'There is no such agent.');
    if (!this.#deps.registry.isOnline(agent.id)) {
      throw new TetherError('agent_offline', `${agent.name} is offline.`);
    }

    const now = nowIso();
    const session: OpenSession = {
      id: newId('ses'),
      agentId: agent.id,
      agentName: agent.name,
      facility: agent.facility,
      technicianId: user.id,
      technician: {
        username: user.username,
        displayName: user.displayName,
        organisation: user.organisation,
      },
      reason: ask.reason,
      requested: [...new Set(ask.capabilities)],
      granted: [],
      createdAt: now,
      updatedAt: now,
      endDetail: null,
      machine: new SessionMachine('requested'),
      attempt: 0,
      queue: Promise.resolve(),
      ...(ask.unattended ? { unattended: true } : {}),
    };
    this.#open.set(session.id, session);

    const view = toSessionView(session);
    try {
      await this.#enqueue(session, async () => {
        await this.#deps.sessions.insert(view, user.id);
        await this.#deps.audit.append({
          sessionId: session.id,
          actor: `user:${user.id}`,
          action: 'session.requested',
          detail: {
            agentId: agent.id,
            capabilities: session.requested,
            reason: session.reason,
            // That a code was used, never the code; that the password was tried, no more.
            ...(ask.code === undefined ? {} : { oneTimeCode: true }),
            ...(ask.unattended === undefined ? {} : { unattended: true }),
          },
        });
        this.#deps.log.info(
          { sessionId: session.id, agentId: agent.id },
          `session ${session.id} requested`,
        );
      });
    } catch (error) {
      // The request was not recorded: the session must not linger as open.
      this.#open.delete(session.id);
      throw error;
    }

    await this.#transition(session, 'awaiting_consent', {
      actor: `user:${user.id}`,
      oneTimeCode: ask.code,
      unattended: ask.unattended,
    });
    return toSessionView(session);
  }

  /**
   * The agent's challenge in an unattended request's access password exchange, passed
   * on to the technician's browser; the server cannot read anything in it.
   */
  unattendedChallenge(agentId: string, sessionId: string, ke2: string): void {
    const session = this.#forAgent(agentId, sessionId);
    this.#expectUnattended(session);

    this.#deps.outbox.toUser(session.technicianId, {
      type: 'unattended.challenge',
      sessionId,
      ke2,
    });
  }

  /**
   * The browser's answer to the challenge (none for a password it found wrong), passed
   * on to the agent, which approves or refuses; that outcome is audited as any other.
   */
  async unattendedFinish(user: UserView, sessionId: string, ke3?: string): Promise<void> {
    const session = this.#forTechnician(user, sessionId);
    this.#expectUnattended(session);

    this.#deps.outbox.toAgent(session.agentId, {
      type: 'unattended.finish',
      sessionId,
      ...(ke3 === undefined ? {} : { ke3 }),
    });
    await this.#record(session, `user:${user.id}`, 'session.unattended_answered', {
      answered: ke3 !== undefined,
    });
  }

  /**
   * Staff approved, on the consent page or beforehand with a one-time code. The grant is
   * limited to what was asked for.
   */
  async approve(
    agentId: string,
    sessionId: string,
    capabilities: Capability[],
    how: { oneTimeCode?: boolean; unattended?: boolean } = {},
  ): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    const granted = session.requested.filter((c) => capabilities.includes(c));
    if (granted.length === 0) {
      throw new TetherError(
        'capability_not_allowed',
        'None of the granted capabilities was requested.',
      );
    }

    expectState(session, ['awaiting_consent']);
    if (how.unattended && !session.unattended) {
      throw new TetherError('invalid_state', 'This session was not asked for unattended.');
    }
    session.granted = granted;
    await this.#transition(session, 'approved', {
      actor: `agent:${agentId}`,
      ...(how.oneTimeCode
        ? { detail: 'Approved with a one-time code made by facility staff.' }
        : {}),
      ...(how.unattended
        ? { detail: 'Approved unattended with the access password set at the facility.' }
        : {}),
    });
  }

  async deny(
    agentId: string,
    sessionId: string,
    reason: 'denied' | 'consent_timeout',
    detail?: string,
  ): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    await this.#end(session, reason, { actor: `agent:${agentId}`, detail: detail ?? null });
  }

  /** The agent's peer connection is up. */
  async agentConnected(agentId: string, sessionId: string): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    const actor = { actor: `agent:${agentId}` };
    if (session.machine.state === 'active') return;

    if (session.machine.state === 'approved') await this.#transition(session, 'connecting', actor);
    await this.#transition(session, 'active', actor);
  }

  async endByAgent(
    agentId: string,
    sessionId: string,
    reason: 'ended_by_facility' | 'failed',
    detail?: string,
  ): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    await this.#end(session, reason, { actor: `agent:${agentId}`, detail: detail ?? null });
  }

  /** The technician ended the session, or their console's peer connection failed. */
  async endByTechnician(
    user: UserView,
    sessionId: string,
    reason: 'ended_by_technician' | 'failed' = 'ended_by_technician',
    detail?: string,
  ): Promise<void> {
    const session = this.#forTechnician(user, sessionId);
    await this.#end(session, reason, { actor: `user:${user.id}`, detail: detail ?? null });
  }

  /**
   * Forwards the console's signal to the agent; the first one marks the start of
   * connecting. A signal of an earlier attempt is late and is left out.
   */
  async signalFromConsole(
    user: UserView,
    sessionId: string,
    attempt: number,
    data: SignalData,
  ): Promise<void> {
    const session = this.#forTechnician(user, sessionId);
    expectState(session, SIGNALLING, 'it takes no signals');
    if (!this.#currentAttempt(session, attempt)) return;

    // Forward before the transition's writes so that signals reach the agent in order.
    this.#deps.outbox.toAgent(session.agentId, { type: 'signal', sessionId, attempt, data });
    if (session.machine.state === 'approved') {
      await this.#transition(session, 'connecting', { actor: `user:${user.id}` });
    }
  }

  /** Forwards the agent's signal, with its signature over a description, to the console. */
  signalFromAgent(
    agentId: string,
    sessionId: string,
    attempt: number,
    data: SignalData,
    proof?: string,
  ): void {
    const session = this.#forAgent(agentId, sessionId);
    expectState(session, SIGNALLING, 'it takes no signals');
    if (!this.#currentAttempt(session, attempt)) return;

    this.#deps.outbox.toUser(session.technicianId, {
      type: 'signal',
      sessionId,
      attempt,
      data,
      ...(proof ? { proof } : {}),
    });
  }

  /**
   * The console asks for a new WebRTC attempt. `lost`: its path broke, so an active
   * session is reconnecting until a path is back (or the grace runs out). `upgrade`: the
   * relay carries the session and the console tries WebRTC again. The new attempt starts
   * now if the agent is online, or when its link comes back.
   */
  async retry(
    user: UserView,
    sessionId: string,
    mode: 'lost' | 'upgrade',
    detail?: string,
  ): Promise<void> {
    const session = this.#forTechnician(user, sessionId);
    expectState(session, SIGNALLING, 'it cannot reconnect');

    if (mode === 'lost' && session.machine.state === 'active') {
      const words = detail ?? "The technician's console lost its path to the agent.";
      await this.#transition(session, 'reconnecting', { actor: `user:${user.id}`, detail: words });
    }
    this.#newAttempt(session);
  }

  /**
   * The agent's link to this node dropped. Running sessions wait for it (reconnecting);
   * sessions that were still being asked for or set up end, since their consent or first
   * offer may be lost.
   */
  async agentLinkLost(agentId: string): Promise<void> {
    const sessions = [...this.#open.values()].filter((s) => s.agentId === agentId);
    const detail = 'The facility agent lost its connection to the server.';
    await Promise.all(
      sessions.map(async (session) => {
        const state = session.machine.state;
        if (state === 'active') {
          await this.#transition(session, 'reconnecting', { actor: 'system', detail });
        } else if (state !== 'reconnecting') {
          await this.#end(session, 'agent_offline', { actor: 'system', detail });
        }
      }),
    );
  }

  /**
   * The agent is back and reports, per session, whether its path to the console lived
   * through the drop: then the session is active again; otherwise a new attempt starts.
   */
  async agentResumed(agentId: string, sessionId: string, connected: boolean): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    expectState(session, SIGNALLING, 'it cannot resume');

    if (!connected) return this.#newAttempt(session);
    if (session.machine.state === 'reconnecting') {
      await this.#transition(session, 'active', { actor: `agent:${agentId}` });
    }
  }

  #newAttempt(session: OpenSession): void {
    if (!this.#deps.registry.isOnline(session.agentId)) {
      this.#deps.log.debug({ sessionId: session.id }, 'new attempt waits for the agent');
      return;
    }

    session.attempt += 1;
    this.#deps.log.info(
      { sessionId: session.id, attempt: session.attempt },
      `session ${session.id} attempt ${session.attempt}`,
    );
    sendConnect(this.#deps.outbox, session, this.#deps.ice);
  }

  #currentAttempt(session: OpenSession, attempt: number): boolean {
    if (attempt === session.attempt) return true;

    this.#deps.log.debug(
      { sessionId: session.id, attempt, current: session.attempt },
      'signal of an earlier attempt left out',
    );
    return false;
  }

  /** The grace of a reconnecting session ran out. */
  #reconnectExpired(session: OpenSession): void {
    if (session.machine.state !== 'reconnecting') return;

    const seconds = Math.max(1, Math.round(this.#deadlines.graceMs / 1000));
    const offline = !this.#deps.registry.isOnline(session.agentId);
    const detail = `The connection could not be restored within ${seconds} second${seconds === 1 ? '' : 's'}.`;
    this.#end(session, offline ? 'agent_offline' : 'failed', { actor: 'system', detail }).catch(
      (error: unknown) =>
        this.#deps.log.error(
          { err: error, sessionId: session.id },
          'ending after the grace failed',
        ),
    );
  }

  /**
   * The technician asks for more in a running session. The agent puts it to staff; the
   * answer comes back through `grantCapabilities` or `denyCapabilities`.
   */
  async requestCapabilities(
    user: UserView,
    sessionId: string,
    capabilities: Capability[],
  ): Promise<void> {
    const session = this.#forTechnician(user, sessionId);
    expectState(session, SIGNALLING, 'it cannot be given more access');
    const wanted = [...new Set(capabilities)].filter((c) => !session.granted.includes(c));
    if (wanted.length === 0) {
      throw new TetherError('invalid_state', 'The session already has that access.');
    }

    session.requested = [...new Set([...session.requested, ...wanted])];
    await this.#record(session, `user:${user.id}`, 'capability.requested', { wanted });
    this.#deps.outbox.toAgent(session.agentId, {
      type: 'capability.request',
      sessionId,
      capabilities: wanted,
    });
  }

  /**
   * Staff granted a request or took access back. The server narrows, never widens: only
   * capabilities the technician asked for at some point can be in the new set.
   */
  async grantCapabilities(
    agentId: string,
    sessionId: string,
    granted: Capability[],
    answered: Capability[],
  ): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    expectState(session, SIGNALLING, 'its access cannot change');

    const before = session.granted;
    session.granted = session.requested.filter((c) => granted.includes(c));
    await this.#record(session, `agent:${agentId}`, 'capability.changed', {
      before,
      after: session.granted,
    });
    if (answered.length > 0) {
      this.#deps.outbox.toUser(session.technicianId, {
        type: 'capability.answer',
        sessionId,
        capabilities: answered,
        granted: answered.every((c) => session.granted.includes(c)),
        detail: null,
      });
    }
  }

  async denyCapabilities(
    agentId: string,
    sessionId: string,
    requested: Capability[],
    reason: 'denied' | 'consent_timeout',
    detail?: string,
  ): Promise<void> {
    const session = this.#forAgent(agentId, sessionId);
    await this.#record(session, `agent:${agentId}`, 'capability.denied', { requested, reason });

    const words =
      reason === 'denied'
        ? 'The facility denied the request.'
        : 'Nobody at the facility answered the request in time.';
    this.#deps.outbox.toUser(session.technicianId, {
      type: 'capability.answer',
      sessionId,
      capabilities: requested,
      granted: false,
      detail: detail ? `${words} ${detail}` : words,
    });
  }

  /** Ends a technician's open sessions, e.g. when their console has been gone too long. */
  endForTechnician(userId: string, reason: EndReason, detail: string): Promise<void> {
    return this.#endWhere((s) => s.technicianId === userId, reason, detail);
  }

  /** Ends every open session, e.g. on shutdown. */
  endAll(reason: EndReason, detail: string): Promise<void> {
    return this.#endWhere(() => true, reason, detail);
  }

  /**
   * The agent and technician of a session the relay may carry now (approved up to
   * active), checked against who asks; throws in words otherwise.
   */
  relayParties(
    sessionId: string,
    asker: { userId: string } | { agentId: string },
  ): { agentId: string; technicianId: string } {
    const session = this.#open.get(sessionId);
    if (!session) throw new TetherError('not_found', 'There is no such open session.');
    const mine =
      'userId' in asker ? session.technicianId === asker.userId : session.agentId === asker.agentId;
    if (!mine) throw new TetherError('forbidden', 'That session belongs to someone else.');
    expectState(session, SIGNALLING, 'it cannot use the relay');

    return { agentId: session.agentId, technicianId: session.technicianId };
  }

  /** Calls `listener` with the ID of every session as it ends, e.g. to close its relay. */
  onEnded(listener: (sessionId: string) => void): void {
    this.#endListeners.push(listener);
  }

  openSessionsOf(userId: string): SessionView[] {
    return [...this.#open.values()].filter((s) => s.technicianId === userId).map(toSessionView);
  }

  openSessionIdsOfAgent(agentId: string): string[] {
    return [...this.#open.values()].filter((s) => s.agentId === agentId).map((s) => s.id);
  }

  /** Waits for every queued write, for a clean shutdown. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#open.values()].map((s) => s.queue));
  }

  async #endWhere(
    match: (session: OpenSession) => boolean,
    reason: EndReason,
    detail: string | null,
  ): Promise<void> {
    const chosen = [...this.#open.values()].filter(match);
    await Promise.all(chosen.map((s) => this.#end(s, reason, { actor: 'system', detail })));
  }

  /** Persists and audits a change that is not a state transition, then tells the console. */
  async #record(
    session: OpenSession,
    actor: string,
    action: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    session.updatedAt = nowIso();
    const view = toSessionView(session);
    await this.#enqueue(session, async () => {
      await this.#deps.sessions.saveState(view);
      await this.#deps.audit.append({ sessionId: session.id, actor, action, detail });
      this.#deps.log.info({ sessionId: session.id, ...detail }, `session ${session.id} ${action}`);
      this.#deps.outbox.toUser(session.technicianId, { type: 'session.update', session: view });
    });
  }

  /**
   * Runs `write` after the session's earlier writes, so that they land in order. Its
   * failure reaches the caller and does not stop the writes queued after it.
   */
  async #enqueue(session: OpenSession, write: () => Promise<void>): Promise<void> {
    const work = session.queue.then(write);
    session.queue = work.catch(() => undefined);
    await work;
  }

  async #end(
    session: OpenSession,
    reason: EndReason,
    change: Omit<Change, 'reason'>,
  ): Promise<void> {
    if (session.machine.ended) return;
    await this.#transition(session, 'ended', { ...change, reason });
  }

  /**
   * The one way a session changes state. The machine moves at once, so that the next
   * message already sees the new state; the writes and messages follow in order per session.
   */
  async #transition(session: OpenSession, to: SessionState, change: Change): Promise<void> {
    const from = session.machine.state;
    try {
      session.machine.to(to, change.reason);
    } catch (error) {
      if (!(error instanceof IllegalTransitionError)) throw error;
      throw new TetherError('invalid_state', `The session is ${STATE_TEXT[from].toLowerCase()}.`);
    }

    session.updatedAt = nowIso();
    if (to === 'reconnecting') {
      this.#deadlines.start(session.id, () => this.#reconnectExpired(session));
    } else {
      this.#deadlines.clear(session.id);
    }
    if (to === 'ended') {
      session.endDetail = change.detail ?? null;
      this.#open.delete(session.id);
      for (const listener of this.#endListeners) listener(session.id);
    }
    const view = toSessionView(session);

    await this.#enqueue(session, async () => {
      await this.#deps.sessions.saveState(view);
      await this.#deps.audit.append({
        sessionId: session.id,
        actor: change.actor,
        action: 'session.transition',
        detail: {
          from,
          to,
          reason: change.reason,
          detail: change.detail ?? undefined,
          // The approval's receipt on the server's side: what was granted, for whom.
          ...(to === 'approved' ? { granted: view.granted } : {}),
        },
      });
      this.#deps.log.info(
        { sessionId: session.id, reason: change.reason },
        `session ${session.id} ${from} -> ${to}`,
      );
      announce(
        this.#deps.outbox,
        session,
        view,
        this.#deps.ice,
        change.oneTimeCode,
        change.unattended,
      );
    });
  }

  /** Only an unattended request, still undecided, carries the password exchange. */
  #expectUnattended(session: OpenSession): void {
    if (!session.unattended) {
      throw new TetherError('invalid_state', 'This session was not asked for unattended.');
    }
    expectState(session, ['awaiting_consent'], 'its access password exchange is over');
  }

  #forAgent(agentId: string, sessionId: string): OpenSession {
    const session = this.#open.get(sessionId);
    if (!session) throw new TetherError('not_found', 'There is no such open session.');
    if (session.agentId !== agentId) {
      throw new TetherError('forbidden', 'That session belongs to another agent.');
    }
    return session;
  }

  #forTechnician(user: UserView, sessionId: string): OpenSession {
    const session = this.#open.get(sessionId);
    if (!session) throw new TetherError('not_found', 'There is no such open session.');
    if (session.technicianId !== user.id) {
      throw new TetherError(
        'forbidden',
        'Only the technician who asked for a session may do that.',
      );
    }
    return session;
  }
}
