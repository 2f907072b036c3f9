import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import type { IceTransportPolicy, SignalData } from '../../shared/protocol/signal.ts';
import { sdpFingerprints, sdpProofPayload } from '../../shared/sdp-proof.ts';
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
import { SessionPaths } from './paths.ts';
import { SessionPeer } from './peer.ts';
import type { LocalSession, SessionRegistry } from './registry.ts';

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
  /**
   * The agent's identity, which signs the DTLS fingerprints of every session description
   * it makes so that the console can tell them from a forgery. Absent (in tests), unsigned.
   */
  identity?: Identity;
  /** Where and as whom the agent joins a session's encrypted relay; absent, no relay. */
  relay?: { serverUrl: string; identity: Identity };
  /** Makes a session's relay end; replaceable in tests. */
  createRelay?: (options: AgentRelayOptions) => AgentRelay;
  /**
   * How long running sessions wait for the server link to come back before the agent
   * ends them itself; the server's own figure from its hello replaces it. Default 60 s.
   */
  reconnectGraceMs?: number;
}

/** The agent waits this much longer than the server, so that the server's end wins. */
const LINK_GRACE_MARGIN_MS = 5_000;

type ConnectMessage = Extract<ServerToAgent, { type: 'session.connect' }>;

/**
 * Carries out what the server says about sessions and what happens to their paths:
 * requests go to the consent flow; each `session.connect` makes the peer of a new
 * attempt (closing the last one); signals go to the peer of their attempt (held until it
 * exists); `relay.open` joins the encrypted relay; any end closes every path. A path
 * that breaks does not end a running session: it waits, reconnecting, for the console to
 * build a new one, and the server ends it when its grace runs out. It is the one place
 * that pairs the session registry with the connections.
 */
export class SessionCoordinator {
  readonly #options: CoordinatorOptions;
  readonly #log: Logger;
  readonly #paths = new Map<string, SessionPaths>();
  #graceMs: number;
  #linkTimer: NodeJS.Timeout | undefined;

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#graceMs = options.reconnectGraceMs ?? 60_000;
    options.registry.on('ended', (session, reason) => this.#closeSession(session.id, reason));
    options.registry.on('granted', (session) =>
      this.#paths.get(session.id)?.setGranted(session.granted),
    );
  }

  /** One validated message from the server. */
  handle(message: ServerToAgent): void {
    switch (message.type) {
      case 'hello':
        if (message.reconnectGraceSeconds) this.#graceMs = message.reconnectGraceSeconds * 1000;
        this.#reconcile(message.openSessionIds);
        return;
      case 'session.request':
        this.#options.flow.request(message);
        return;
      case 'session.connect':
        if (message.webrtc === false) this.#awaitRelay(message.sessionId);
        else this.#connect(message);
        return;
      case 'relay.open':
        this.#openRelay(message.sessionId, message.consoleKey);
        return;
      case 'signal':
        this.#signal(message.sessionId, message.attempt, message.data);
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

  /**
   * Facility staff end a session: tell the server and close its paths at once. `detail`
   * says how, when it was not the session's own End button (Remote access switched off).
   */
  endByFacility(sessionId: string, detail?: string): void {
    if (!this.#options.registry.has(sessionId)) return;

    this.#options.send({
      type: 'session.end',
      sessionId,
      reason: 'ended_by_facility',
      ...(detail ? { detail } : {}),
    });
    this.#options.registry.end(sessionId, 'ended_by_facility', detail ?? null);
    this.#log.info({ sessionId, detail }, 'session ended by facility staff');
  }

  /**
   * The server link dropped. Running sessions go on over their paths (the server holds
   * them open, reconnecting) until the link is back or the grace runs out; sessions not
   * yet running end, as the server ends them too.
   */
  linkLost(): void {
    const { registry } = this.#options;
    for (const session of registry.all()) {
      const state = session.machine.state;
      if (state !== 'active' && state !== 'reconnecting') registry.end(session.id, 'agent_offline');
    }
    if (registry.all().length === 0 || this.#linkTimer) return;

    const seconds = Math.round(this.#graceMs / 1000);
    this.#linkTimer = setTimeout(() => {
      this.#linkTimer = undefined;
      const detail = `The connection to the server could not be restored within ${seconds} seconds.`;
      for (const session of registry.all()) registry.end(session.id, 'agent_offline', detail);
    }, this.#graceMs + LINK_GRACE_MARGIN_MS);
  }

  /** Closes every path without reporting failures; for shutdown. */
  closeAll(): void {
    clearTimeout(this.#linkTimer);
    this.#linkTimer = undefined;
    for (const paths of this.#paths.values()) paths.close();
    this.#paths.clear();
  }

  /** A new attempt: its peer replaces the last one, and gets the signals held for it. */
  #connect(message: ConnectMessage): void {
    const { sessionId, attempt } = message;
    const session = this.#options.registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      this.#log.warn({ sessionId }, 'session.connect for a session not approved here; ignored');
      return;
    }
    const paths = this.#pathsOf(sessionId);
    if (paths.stale(attempt)) {
      this.#log.debug({ sessionId, attempt }, 'session.connect of an earlier attempt ignored');
      return;
    }

    const peer = this.#makePeer(session, attempt, message.iceServers, message.iceTransportPolicy);
    const early = paths.setPeer(attempt, peer);
    if (session.machine.state === 'approved') this.#options.registry.move(sessionId, 'connecting');
    this.#log.info({ sessionId, attempt }, 'peer attempt started');
    for (const data of early) peer.signal(data);
  }

  #makePeer(
    session: LocalSession,
    attempt: number,
    iceServers: ConnectMessage['iceServers'],
    iceTransportPolicy: IceTransportPolicy | undefined,
  ): SessionPeer {
    const sessionId = session.id;
    const { hub, devices, policy, send, desktop } = this.#options;
    const make = this.#options.createPeer ?? ((options) => new SessionPeer(options));
    const peer: SessionPeer = make({
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
          if (!allowed) return;
          send({
            type: 'signal',
            sessionId,
            attempt,
            data: allowed,
            ...this.#proof(sessionId, attempt, allowed),
          });
        },
        connected: () => {
          if (this.#paths.get(sessionId)?.peer !== peer) return;
          this.#log.info({ sessionId, attempt }, 'session served over WebRTC');
          this.#pathUp(sessionId);
        },
        failed: (detail) => {
          if (this.#paths.get(sessionId)?.dropPeer(peer)) this.#pathLost(sessionId, detail);
        },
      },
    });
    return peer;
  }

  #signal(sessionId: string, attempt: number, data: SignalData): void {
    const session = this.#options.registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      this.#log.debug({ sessionId }, 'signal for an unknown session dropped');
      return;
    }

    const paths = this.#pathsOf(sessionId);
    if (paths.attempt === attempt) paths.peer?.signal(data);
    // The console may answer session.connect faster than the server tells us; keep it.
    else if (!paths.stale(attempt)) paths.hold(attempt, data);
    else this.#log.debug({ sessionId, attempt }, 'signal of an earlier attempt dropped');
  }

  /** The server forbids WebRTC: no peer; the console asks for the relay at once. */
  #awaitRelay(sessionId: string): void {
    const session = this.#options.registry.get(sessionId);
    if (!session || session.approvedAt === null) {
      this.#log.warn({ sessionId }, 'session.connect for a session not approved here; ignored');
      return;
    }
    if (session.machine.state === 'approved') this.#options.registry.move(sessionId, 'connecting');
    this.#log.info({ sessionId }, 'WebRTC not allowed by the server; waiting for the relay');
  }

  /**
   * The console asks for the encrypted relay: join it and serve the session on it with
   * the same grants, log hub and desktop as a peer would. A WebRTC peer stays: the console
   * moves back to it when it connects, and then closes the relay.
   */
  #openRelay(sessionId: string, consoleKey: string): void {
    const session = this.#options.registry.get(sessionId);
    const { relay, hub, devices, policy, desktop } = this.#options;
    if (!session || session.approvedAt === null || !relay) {
      this.#log.warn({ sessionId }, 'relay asked for a session not approved here; ignored');
      return;
    }

    const paths = this.#pathsOf(sessionId);
    const make = this.#options.createRelay ?? ((options) => new AgentRelay(options));
    const agentRelay: AgentRelay = make({
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
          paths.relayConnected(agentRelay);
          this.#log.info({ sessionId }, 'session served on the encrypted relay');
          this.#pathUp(sessionId);
        },
        failed: (detail) => {
          if (paths.dropRelay(agentRelay)) this.#pathLost(sessionId, detail);
        },
      },
    });
    paths.setRelay(agentRelay);
  }

  /** The signature over a description's DTLS fingerprints; nothing for other signals. */
  #proof(sessionId: string, attempt: number, data: SignalData): { proof?: string } {
    const identity = this.#options.identity;
    if (!identity || !('sdp' in data) || !data.sdp) return {};

    const payload = sdpProofPayload(sessionId, attempt, data.type, sdpFingerprints(data.sdp));
    return { proof: identity.sign(payload) };
  }

  /** A path carries the session: it is active (again), and the server hears so. */
  #pathUp(sessionId: string): void {
    const { registry, send } = this.#options;
    const state = registry.get(sessionId)?.machine.state;
    if (!state) return;

    send({ type: 'session.connected', sessionId });
    if (state === 'approved') registry.move(sessionId, 'connecting');
    if (state !== 'active') registry.move(sessionId, 'active');
  }

  /**
   * A path broke. With the other path still up nothing changes. A running session waits
   * for the console to build a new path (the server ends it when its grace runs out); one
   * that never ran has failed.
   */
  #pathLost(sessionId: string, detail: string): void {
    const { registry, send } = this.#options;
    const session = registry.get(sessionId);
    if (!session || this.#paths.get(sessionId)?.live) return;

    if (session.machine.state === 'active' || session.machine.state === 'reconnecting') {
      registry.move(sessionId, 'reconnecting');
      this.#log.info({ sessionId, detail }, 'path to the console lost; waiting for a new one');
      return;
    }
    const short = `Connection to the console failed: ${detail}`.slice(0, 500);
    send({ type: 'session.end', sessionId, reason: 'failed', detail: short });
    registry.end(sessionId, 'failed', short);
  }

  #pathsOf(sessionId: string): SessionPaths {
    let paths = this.#paths.get(sessionId);
    if (!paths) {
      paths = new SessionPaths();
      this.#paths.set(sessionId, paths);
    }
    return paths;
  }

  #closeSession(sessionId: string, reason: EndReason): void {
    const paths = this.#paths.get(sessionId);
    if (!paths) return;

    this.#paths.delete(sessionId);
    paths.close();
    this.#log.debug({ sessionId, reason }, 'paths closed with their session');
  }

  /**
   * The server link is (back) up, and the server lists the sessions it still holds open.
   * Ones this agent no longer has (it restarted, say) are ended as failed; ones the
   * server no longer has end here too. For the rest the agent says whether its path to
   * the console lived through the drop, so that the server can start a new attempt if not.
   */
  #reconcile(openSessionIds: string[]): void {
    const { registry, send } = this.#options;
    clearTimeout(this.#linkTimer);
    this.#linkTimer = undefined;

    for (const sessionId of openSessionIds) {
      if (registry.has(sessionId)) continue;
      send({
        type: 'session.end',
        sessionId,
        reason: 'failed',
        detail: 'The facility agent no longer has this session.',
      });
    }
    for (const session of registry.open()) {
      if (!openSessionIds.includes(session.id)) {
        registry.end(session.id, 'agent_offline', 'The server ended it while the agent was away.');
        continue;
      }
      const connected = this.#paths.get(session.id)?.live ?? false;
      send({ type: 'session.resume', sessionId: session.id, connected });
      if (connected && session.machine.state === 'reconnecting') {
        registry.move(session.id, 'active');
      }
    }
  }
}
