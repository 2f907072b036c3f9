import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import type { IceServer, SignalData } from '../../shared/protocol/signal.ts';
import type { EndReason } from '../../shared/session-machine.ts';
import type { CapabilityFlow } from '../consent/capability-flow.ts';
import type { ConsentFlow } from '../consent/flow.ts';
import type { DesktopService } from '../desktop/service.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import type { Policy } from '../policy.ts';
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

  constructor(options: CoordinatorOptions) {
    this.#options = options;
    this.#log = options.log;
    options.registry.on('ended', (session, reason) => this.#closeSession(session.id, reason));
    options.registry.on('granted', (session) =>
      this.#peers.get(session.id)?.setGranted(session.granted),
    );
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
        this.#connect(message.sessionId, message.iceServers);
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
    this.#early.clear();
  }

  #connect(sessionId: string, iceServers: IceServer[]): void {
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
      hub,
      devices,
      backlogLimit: policy.backlogLines,
      desktop: desktop && {
        service: desktop,
        allowed: policy.allowedCapabilities.includes('screen.view'),
      },
      log: this.#log,
      events: {
        signal: (data) => send({ type: 'signal', sessionId, data }),
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

  #failed(sessionId: string, detail: string): void {
    const short = `Connection to the console failed: ${detail}`.slice(0, 500);
    if (!this.#options.registry.has(sessionId)) return;

    this.#options.send({ type: 'session.end', sessionId, reason: 'failed', detail: short });
    this.#options.registry.end(sessionId, 'failed', short);
  }

  #closeSession(sessionId: string, reason: EndReason): void {
    this.#early.delete(sessionId);
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
