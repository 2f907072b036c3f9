import type { ServerToConsole } from '../../shared/protocol/console.ts';
import type { AgentView, SessionView, UserView } from '../../shared/protocol/views.ts';
import { createLogger } from '../lib/log.ts';
import { UnattendedSignIn } from './fleet/unattended-sign-in.ts';
import { ServerLink, type SessionAsk } from './server-link.svelte.ts';
import { SessionController } from './session/session-controller.svelte.ts';
import { jobFeed } from './software/job-feed.ts';

const log = createLogger('console');

/** Which of the two main areas is shown next to the fleet column. */
export type MainView = 'fleet' | 'session';

/** The console's top-level areas, one per tab in the top bar. */
export type ConsoleArea = 'support' | 'dashboard' | 'software' | 'admin' | 'audit';

/**
 * Everything the signed-in console shows: the fleet of agents, the selected agent, and
 * the current session. Inbound messages are routed here; components only read its state
 * and call its methods.
 */
export class ConsoleModel {
  user = $state() as UserView;
  agents = $state<AgentView[]>([]);
  /** False until the first agents.snapshot, so the list can say "Loading". */
  fleetLoaded = $state(false);
  selectedAgentId = $state<string | null>(null);
  current = $state<SessionController | null>(null);
  view = $state<MainView>('fleet');
  area = $state<ConsoleArea>('support');
  requesting = $state(false);
  requestError = $state<string | null>(null);
  /** A server error not tied to the current session, shown once at the top. */
  notice = $state<string | null>(null);
  readonly link: ServerLink;
  /** The access password exchange of the last unattended request, if any. */
  #signIn: UnattendedSignIn | null = null;

  constructor(user: UserView, onUnauthenticated: () => void) {
    this.user = user;
    this.link = new ServerLink({
      message: (message) => this.#onMessage(message),
      unauthenticated: onUnauthenticated,
    });
  }

  get selectedAgent(): AgentView | null {
    return this.agents.find((agent) => agent.id === this.selectedAgentId) ?? null;
  }

  selectAgent(agentId: string): void {
    this.selectedAgentId = agentId;
    this.view = 'fleet';
    this.requestError = null;
  }

  showSession(): void {
    if (!this.current) return;
    this.area = 'support';
    this.view = 'session';
  }

  /**
   * Asks the selected agent for a session, perhaps with a one-time code from the facility
   * or unattended with its access password.
   */
  async requestSession(ask: SessionAsk): Promise<boolean> {
    const agent = this.selectedAgent;
    if (!agent || this.requesting) return false;

    this.requesting = true;
    this.requestError = null;
    const { accessPassword, ...plain } = ask;
    this.#signIn = accessPassword
      ? await UnattendedSignIn.start(accessPassword, (message) => this.link.send(message))
      : null;
    const ack = await this.link.requestSession(
      agent.id,
      { ...plain, reason: ask.reason.trim() },
      this.#signIn?.first,
    );
    this.requesting = false;

    if (!ack.ok) {
      this.requestError = ack.message;
      return false;
    }

    this.#signIn?.accepted(ack.session.id);
    this.#adopt(ack.session);
    this.view = 'session';
    return true;
  }

  /** Puts an ended session away and returns to the fleet, on the same agent. */
  dismissSession(): void {
    const session = this.current;
    if (!session) return;

    session.dispose();
    this.selectedAgentId = session.view.agentId;
    this.current = null;
    this.view = 'fleet';
  }

  /** Closes the socket and every peer (sign-out). */
  dispose(): void {
    this.current?.dispose();
    this.link.close();
  }

  #onMessage(message: ServerToConsole): void {
    switch (message.type) {
      case 'hello':
        this.user = message.user;
        break;
      case 'agents.snapshot':
        this.agents = message.agents;
        this.fleetLoaded = true;
        this.#selectDefaultAgent();
        break;
      case 'agent.update':
        this.#upsertAgent(message.agent);
        break;
      case 'session.update':
        this.#onSessionUpdate(message.session);
        break;
      case 'session.connect':
        this.#forCurrent(message.sessionId)?.connect(message);
        break;
      case 'signal':
        this.#forCurrent(message.sessionId)?.signal(message.attempt, message.data, message.proof);
        break;
      case 'unattended.challenge':
        void this.#signIn?.challenge(message.sessionId, message.ke2);
        break;
      case 'capability.answer':
        this.#forCurrent(message.sessionId)?.capabilityAnswer(message);
        break;
      case 'error':
        this.#onError(message.message, message.sessionId);
        break;
      case 'software.job':
        jobFeed.publish(message.job);
        break;
    }
  }

  #onSessionUpdate(session: SessionView): void {
    if (this.current?.id === session.id) {
      this.current.update(session);
      return;
    }

    // A session this tab did not start (a reload, or the update overtook the request's
    // acknowledgement): show it when nothing else is shown and it is still open.
    if (session.state !== 'ended' && (!this.current || this.current.ended)) {
      this.#adopt(session);
      this.area = 'support';
      this.view = 'session';
    }
  }

  #adopt(session: SessionView): void {
    if (this.current?.id === session.id) {
      this.current.update(session);
      return;
    }

    this.current?.dispose();
    this.current = new SessionController(
      session,
      (message) => this.link.send(message),
      (capabilities) => this.link.requestCapabilities(session.id, capabilities),
      {},
      () => this.agents.find((agent) => agent.id === session.agentId)?.identityKey ?? null,
    );
    this.selectedAgentId = session.agentId;
  }

  #forCurrent(sessionId: string): SessionController | null {
    if (this.current?.id === sessionId) return this.current;

    log.debug('message for a session not shown here', { sessionId });
    return null;
  }

  #onError(message: string, sessionId: string | undefined): void {
    log.warn('server reported an error', { sessionId, message });
    if (sessionId && this.current?.id === sessionId) this.current.notice = message;
    else this.notice = message;
  }

  #upsertAgent(agent: AgentView): void {
    const index = this.agents.findIndex((known) => known.id === agent.id);
    if (index === -1) this.agents.push(agent);
    else this.agents[index] = agent;
    this.#selectDefaultAgent();
  }

  #selectDefaultAgent(): void {
    if (this.selectedAgent) return;

    const first = this.agents.find((agent) => agent.online) ?? this.agents[0];
    this.selectedAgentId = first?.id ?? null;
  }
}
