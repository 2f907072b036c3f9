import type { Namespace, Socket } from 'socket.io';
import { AgentToServer, type ServerToAgent } from '../../shared/protocol/agent.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import type { AgentStore } from '../agents/agent-store.ts';
import { agentProof, type AgentSocketData } from '../agents/agent-proof.ts';
import type { ChallengeStore } from '../agents/challenges.ts';
import type { AgentRegistry } from '../agents/registry.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import type { SessionBroker } from '../sessions/broker.ts';
import type { ServiceReport } from '../../shared/service-data.ts';
import type { SoftwareDelivery } from '../software/delivery.ts';
import { nowIso } from '../util.ts';
import { messageTypes, onMessages } from './messages.ts';
import { agentRoom } from './rooms.ts';

const TYPES = messageTypes(AgentToServer);

export interface AgentNamespaceDeps {
  agents: AgentStore;
  challenges: ChallengeStore;
  registry: AgentRegistry;
  broker: SessionBroker;
  audit: AuditLedger;
  /** Tells every console that this agent's view changed. */
  agentChanged(agentId: string): void;
  /** Keeps background work visible to shutdown and its failures in the log. */
  track(work: Promise<unknown>): void;
  log: Logger;
  /** Stores service reports (device health and events) for the fleet dashboard. */
  serviceData: { ingest(agentId: string, report: ServiceReport): Promise<void> };
  /** Software and licence delivery: offers, chunks and the agent's reports. */
  software: SoftwareDelivery;
  /** Base64 of the release public key, sent in `hello` for the agent to pin. */
  releaseKey: string;
  /** Signs the agent's nonce with the release key, proving the server to the agent. */
  proveServer(agentId: string, nonce: string): string;
}

/**
 * The `/agent` namespace: facility agents, each proven by a signed challenge in the
 * handshake. Online and offline are lifecycle events: audited, logged, and pushed to the
 * consoles. Losing the agent puts its running sessions on hold (reconnecting) until it
 * comes back or their grace runs out.
 */
export function setUpAgentNamespace(nsp: Namespace, deps: AgentNamespaceDeps): void {
  const { registry, broker, log } = deps;
  nsp.use(agentProof(deps));

  nsp.on('connection', (socket: Socket) => {
    const { agent, serverNonce } = socket.data as AgentSocketData;
    const send = (message: ServerToAgent): void => void socket.emit(MESSAGE_EVENT, message);

    registry.attach(agent.id, { id: socket.id, close: () => socket.disconnect(true) }, nowIso());
    void socket.join(agentRoom(agent.id));
    socket.on('disconnect', (reason) => deps.track(wentOffline(deps, agent.id, socket.id, reason)));

    onMessages(socket, {
      schema: AgentToServer,
      types: TYPES,
      log,
      handle: async (message) => {
        switch (message.type) {
          case 'agent.inventory':
            registry.setDevices(agent.id, message.devices);
            deps.agentChanged(agent.id);
            return;
          case 'agent.access':
            return remoteAccessReported(deps, agent.id, message.remoteAccess);
          case 'session.approve':
            return broker.approve(agent.id, message.sessionId, message.capabilities, {
              oneTimeCode: message.oneTimeCode === true,
              unattended: message.unattended === true,
            });
          case 'unattended.challenge':
            return broker.unattendedChallenge(agent.id, message.sessionId, message.ke2);
          case 'session.deny':
            return broker.deny(agent.id, message.sessionId, message.reason, message.detail);
          case 'session.connected':
            return broker.agentConnected(agent.id, message.sessionId);
          case 'session.end':
            return broker.endByAgent(agent.id, message.sessionId, message.reason, message.detail);
          case 'signal':
            return broker.signalFromAgent(
              agent.id,
              message.sessionId,
              message.attempt,
              message.data,
              message.proof,
            );
          case 'session.resume':
            return broker.agentResumed(agent.id, message.sessionId, message.connected);
          case 'capability.grant':
            return broker.grantCapabilities(
              agent.id,
              message.sessionId,
              message.granted,
              message.requested,
            );
          case 'capability.deny':
            return broker.denyCapabilities(
              agent.id,
              message.sessionId,
              message.requested,
              message.reason,
              message.detail,
            );
          case 'software.chunk.request':
            return deps.software.chunkRequest(agent.id, message);
          case 'software.report':
            return deps.software.report(agent.id, message);
          case 'service.report':
            // Acknowledged only once stored; a failure leaves the report in the agent's outbox.
            await deps.serviceData.ingest(agent.id, message);
            return send({ type: 'service.ack', seq: message.seq });
        }
      },
    });

    send({
      type: 'hello',
      agentId: agent.id,
      facility: agent.facility,
      openSessionIds: broker.openSessionIdsOfAgent(agent.id),
      reconnectGraceSeconds: Math.max(1, Math.round(broker.reconnectGraceMs / 1000)),
      releaseKey: deps.releaseKey,
      ...(serverNonce ? { serverProof: deps.proveServer(agent.id, serverNonce) } : {}),
    });
    deps.track(cameOnline(deps, agent.id, agent.name, socket.handshake.address));
    deps.track(deps.software.agentOnline(agent.id));
  });
}

async function cameOnline(
  deps: AgentNamespaceDeps,
  agentId: string,
  name: string,
  address: string,
): Promise<void> {
  try {
    await deps.agents.touchLastSeen(agentId, nowIso());
    await deps.audit.append({
      actor: `agent:${agentId}`,
      action: 'agent.online',
      detail: { address },
    });
    deps.log.info({ agentId, name, address }, 'agent online');
    deps.agentChanged(agentId);
  } catch (error) {
    deps.log.error({ err: error, agentId }, 'recording agent online failed');
  }
}

/**
 * The agent reports its Remote access switch on every connect and on every change. The
 * server only shows it; a change, and an agent that comes online switched off, are audited.
 */
async function remoteAccessReported(
  deps: AgentNamespaceDeps,
  agentId: string,
  remoteAccess: 'on' | 'off',
): Promise<void> {
  const before = deps.registry.setRemoteAccess(agentId, remoteAccess);
  if (before === remoteAccess) return;

  deps.agentChanged(agentId);
  if (before === undefined && remoteAccess === 'on') return;
  await deps.audit.append({
    actor: `agent:${agentId}`,
    action: 'agent.remote_access',
    detail: { remoteAccess },
  });
  deps.log.info({ agentId, remoteAccess }, `agent remote access ${remoteAccess}`);
}

/** Only the agent's current connection going away makes it offline; a replaced one does not. */
async function wentOffline(
  deps: AgentNamespaceDeps,
  agentId: string,
  socketId: string,
  reason: string,
): Promise<void> {
  if (!deps.registry.detach(agentId, socketId)) {
    deps.log.debug({ agentId, socket: socketId }, 'replaced agent connection closed');
    return;
  }

  try {
    deps.log.info({ agentId, reason }, 'agent offline');
    await deps.agents.touchLastSeen(agentId, nowIso());
    await deps.audit.append({
      actor: `agent:${agentId}`,
      action: 'agent.offline',
      detail: { reason },
    });
    await deps.broker.agentLinkLost(agentId);
    deps.agentChanged(agentId);
  } catch (error) {
    deps.log.error({ err: error, agentId }, 'recording agent offline failed');
  }
}
