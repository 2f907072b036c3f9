import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import type { IceServer, IceTransportPolicy, SignalData } from '../../shared/protocol/signal.ts';
import type { EndReason } from '../../shared/session-machine.ts';
import type { CapabilityFlow } from '../consent/capability-flow.ts';
import type { ConsentFlow } from '../consent/flow.ts';
import type { DesktopService } from '../desktop/service.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { Identity } from '../identity.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import type { Policy } from '../policy.ts';
import { AgentRelay, type AgentRelayOptions } from '../relay/agent-relay.ts';
import { filterSignal } from './candidate-filter.ts';
import { SessionPeer } from './peer.ts';
import type { SessionRegistry } from './registry.ts';

export interface CoordinatorOptions {
  registry: SessionRegistry;
  flow: ConsentFlow;
  capabilities: CapabilityFlow;
  hub: LogHub;
  /** The agent's remote desktop; absent, sessions get logs only. */
  desktop?: DesktopService;
  devices: DeviceRegistry;
  policy: Policy;
  send: (message: AgentToServer) => void;
  log: Logger;
  /** Makes the peer for a session; replaceable in tests. */
  createPeer?: (options: ConstructorParameters<typeof SessionPeer>[0]) => SessionPeer;
  /** Where and as whom the agent joins a session's encrypted relay; absent, no relay. */
  relay?: { serverUrl: string; identity: Identity };
  /** Makes a session's relay end; replaceable in tests. */
  createRelay?: (options: AgentRelayOptions) => AgentRelay;
}

/** Signals kept for a session whose peer does not exist yet. */
const MAX_EARLY_SIGNALS = 200;

/**
 * Carries out what the server says about sessions and what happens to their peers:
 * requests go to the consent flow; session.connect makes the peer; signals go to it
 * (held until it exists); any end closes the peer. It is the one place that pairs
 * the session registry with the WebRTC connections.
 */
export class SessionCoordinator {
  readonly #options: CoordinatorOptions;
  readonly #log: Logger;
  readonly #peers = new Map<string, SessionPeer>();
  readonly #early = new Map<string, SignalData[]>();
  readonly #relays = new Map<string, AgentRelay>();

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.#log = options.log;
    options.registry.on('ended', (session, reason) => this.#closeSession(session.id, reason));
    options.registry.on('granted', (session) => {
      this.#peers.get(session.id)?.setGranted(session.granted);
      this.#relays.get(session.id)?.setGranted(session.granted);
    });
  }

  /** One validated message from the server. */
  handle(message: ServerToAgent): void {
    switch (message.type) {
      case 'hello':
        this.#reconcile(message.openSessionIds);
        return;
      case 'session.request':
        this.#options.flow.request(message);
        return;
      case 'session.connect':
        if (message.webrtc === false) this.#awaitRelay(message.sessionId);
        else this.#connect(message.sessionId, message.iceServers, message.iceTransportPolicy);
        return;
      case 'relay.open':
        this.#openRelay(message.sessionId, message.consoleKey);
        return;
      case 'signal':
        this.#signal(message.sessionId, message.data);
        return;
      case 'session.ended':
        this.#options.registry.end(message.sessionId, message.reason, message.detail);
        return;
      case 'capability.request':
        this.#options.capabilities.request(message.sessionId, message.capabilities);
        return;
      case 'error':
        this.#log.warn(
          { code: message.code, error: message.message, sessionId: message.sessionId },
          'server reported an error',
        );
        return;
    }
  }

  /** Facility staff end a session: tell the server and close the peer at once. */
  endByFacility(sessionId: string): void {
    if (!this.#options.registry.has(sessionId)) return;

    this.#options.send({ type: 'session.end', sessionId, reason: 'ended_by_facility' });
    this.#options.registry.end(sessionId, 'ended_by_facility');
    this.#log.info({ sessionId }, 'session ended by facility staff');
  }

  /**
   * The server link dropped. The server ends every session of an offline agent, so the
   * agent does the same locally rather than keep serving a session nobody tracks.
   */
  linkLost(): void {
    for (const session of this.#options.registry.all()) {
      this.#options.registry.end(session.id, 'agent_offline');
    }
  }

  /** Closes every peer without reporting failures; for shutdown. */
  closeAll(): void {
    for (const peer of this.#peers.values()) peer.destroy();
    this.#peers.clear();
    for (const relay of this.#relays.values()) relay.destroy();
    this.#relays.clear();
    this.#early.clear();
  }

  #connect(
    sessionId: string,
    iceServers: IceServer[],
    iceTransportPolicy: IceTransportPolicy | undefined,
  ): void {
    const session = this.#options.registry.get(sessionId);
    if (!session || session.approvedAt === null || this.#peers.has(sessionId)) {
      this.#log.warn({ sessionId }, 'session.connect for a session not approved here; ignored');
      return;
    }

    const { hub, devices, policy, registry, send, desktop } = this.#options;
    const make = this.#options.createPeer ?? ((options) => new SessionPeer(options));
    const peer = make({
      sessionId,
      granted: session.granted,
      iceServers,
      // Under `none` the agent gathers TURN candidates only: its connectivity checks then
      // leave from the TURN server too, so no packet the browser receives (not only no
      // signal) carries a facility-internal address.
      iceTransportPolicy: policy.network.hostCandidates === 'none' ? 'relay' : iceTransportPolicy,
      hub,
      devices,
      backlogLimit: policy.backlogLines,
      desktop: desktop && {
        service: desktop,
        allowed: policy.allowedCapabilities.includes('screen.view'),
      },
      log: this.#log,
      events: {
        // The one place the agent's addresses leave: the policy decides which may.
        signal: (data) => {
          const allowed = filterSignal(data, policy.network.hostCandidates);
          if (allowed) send({ type: 'signal', sessionId, data: allowed });
        },
        connected: () => {
          send({ type: 'session.connected', sessionId });
          registry.move(sessionId, 'active');
          this.#log.info({ sessionId }, 'session active');
        },
        failed: (detail) => this.#failed(sessionId, detail),
      },
    });
    this.#peers.set(sessionId, peer);
    registry.move(sessionId, 'connecting');

    for (const data of this.#early.get(sessionId) ?? []) peer.signal(data);
    this.#early.delete(sessionId);
  }

  #signal(sessionId: string, data: SignalData): void {
    const peer = this.#peers.get(sessionId);
    if (peer) {
      peer.signal(data);
      return;
    }

    const session = this.#options.registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      this.#log.debug({ sessionId }, 'signal for an unknown session dropped');
      return;
    }

    // The console may answer session.connect faster than the server tells us; keep it.
    const queue = this.#early.get(sessionId) ?? [];
    if (queue.length < MAX_EARLY_SIGNALS) queue.push(data);
    this.#early.set(sessionId, queue);
  }

  /** The server forbids WebRTC: no peer; the console asks for the relay at once. */
  #awaitRelay(sessionId: string): void {
    const session = this.#options.registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      this.#log.warn({ sessionId }, 'session.connect for a session not approved here; ignored');
      return;
    }
    this.#options.registry.move(sessionId, 'connecting');
    this.#log.info({ sessionId }, 'WebRTC not allowed by the server; waiting for the relay');
  }

  /**
   * The console asks for the encrypted relay: join it and serve the session on it with
   * the same grants, log hub and desktop as the peer would. Once the relay is up, the
   * WebRTC peer is closed, since the console has given up on it.
   */
  #openRelay(sessionId: string, consoleKey: string): void {
    const session = this.#options.registry.get(sessionId);
    const { relay, hub, devices, policy, registry, send, desktop } = this.#options;
    if (!session || session.approvedAt === null || !relay) {
      this.#log.warn({ sessionId }, 'relay asked for a session not approved here; ignored');
      return;
    }

    this.#relays.get(sessionId)?.destroy();
    const make = this.#options.createRelay ?? ((options) => new AgentRelay(options));
    const agentRelay = make({
      ...relay,
      sessionId,
      consoleKey,
      granted: session.granted,
      hub,
      devices,
      backlogLimit: policy.backlogLines,
      desktop: desktop && {
        service: desktop,
        allowed: policy.allowedCapabilities.includes('screen.view'),
      },
      log: this.#log,
      events: {
        connected: () => {
          this.#peers.get(sessionId)?.destroy();
          this.#peers.delete(sessionId);
          this.#log.info({ sessionId }, 'session served on the encrypted relay');
          const state = registry.get(sessionId)?.machine.state;
          if (state !== 'approved' && state !== 'connecting') return;
          registry.move(sessionId, 'connecting');
          send({ type: 'session.connected', sessionId });
          registry.move(sessionId, 'active');
        },
        // The console sees the relay break too and decides: it may open a new one.
        failed: () => {
          if (this.#relays.get(sessionId) === agentRelay) this.#relays.delete(sessionId);
        },
      },
    });
    this.#relays.set(sessionId, agentRelay);
  }

  #failed(sessionId: string, detail: string): void {
    if (this.#relays.has(sessionId)) {
      // The console moved to the relay; the peer it left behind is no loss.
      this.#peers.delete(sessionId);
      this.#log.debug({ sessionId, detail }, 'peer failed while the relay serves the session');
      return;
    }
    const short = `Connection to the console failed: ${detail}`.slice(0, 500);
    if (!this.#options.registry.has(sessionId)) return;

    this.#options.send({ type: 'session.end', sessionId, reason: 'failed', detail: short });
    this.#options.registry.end(sessionId, 'failed', short);
  }

  #closeSession(sessionId: string, reason: EndReason): void {
    this.#early.delete(sessionId);
    this.#relays.get(sessionId)?.destroy();
    this.#relays.delete(sessionId);
    const peer = this.#peers.get(sessionId);
    if (!peer) return;

    this.#peers.delete(sessionId);
    peer.destroy();
    this.#log.debug({ sessionId, reason }, 'peer closed with its session');
  }

  /**
   * After a reconnect the server lists the sessions it still thinks are open. Ones this
   * agent no longer has (it restarted, say) are ended as failed so they do not linger.
   */
  #reconcile(openSessionIds: string[]): void {
    for (const sessionId of openSessionIds) {
      if (this.#options.registry.has(sessionId)) continue;
      this.#options.send({
        type: 'session.end',
        sessionId,
        reason: 'failed',
        detail: 'The facility agent no longer has this session.',
      });
    }
  }
}
