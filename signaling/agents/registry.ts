import type { Device } from '../../shared/devices.ts';
import type { AgentView } from '../../shared/protocol/views.ts';
import type { AgentRecord } from './agent-store.ts';

/** The one live connection of an agent, as the registry needs to know it. */
export interface AgentConnection {
  /** socket.io socket ID, to tell a replaced connection from the current one. */
  id: string;
  /** Drops the connection; used when a newer one of the same agent replaces it. */
  close(): void;
}

interface Online {
  connection: AgentConnection;
  devices: Device[];
  since: string;
  /** The facility's Remote access switch as the agent reported it; shown, not enforced. */
  remoteAccess?: 'on' | 'off';
}

/**
 * Which agents are connected to this node right now, and the devices each reported last.
 * An agent has at most one connection: a new one replaces the old.
 */
export class AgentRegistry {
  readonly #online = new Map<string, Online>();

  /** Records `connection` as the agent's live one, closing any previous connection. */
  attach(agentId: string, connection: AgentConnection, since: string): void {
    const previous = this.#online.get(agentId);
    this.#online.set(agentId, { connection, devices: [], since });
    if (previous && previous.connection.id !== connection.id) previous.connection.close();
  }

  /** Forgets the agent if `connectionId` is still its live connection; says whether it was. */
  detach(agentId: string, connectionId: string): boolean {
    if (this.#online.get(agentId)?.connection.id !== connectionId) return false;

    this.#online.delete(agentId);
    return true;
  }

  isOnline(agentId: string): boolean {
    return this.#online.has(agentId);
  }

  setDevices(agentId: string, devices: Device[]): void {
    const entry = this.#online.get(agentId);
    if (entry) entry.devices = devices;
  }

  /** Records the agent's Remote access switch; returns what it reported before, if anything. */
  setRemoteAccess(agentId: string, remoteAccess: 'on' | 'off'): 'on' | 'off' | undefined {
    const entry = this.#online.get(agentId);
    if (!entry) return undefined;

    const before = entry.remoteAccess;
    entry.remoteAccess = remoteAccess;
    return before;
  }

  /**
   * The console's view of a stored agent. Devices are listed only while the agent is
   * online: an offline agent's last report may no longer be true.
   */
  view(record: AgentRecord): AgentView {
    const entry = this.#online.get(record.id);
    return {
      id: record.id,
      name: record.name,
      facility: record.facility,
      online: entry !== undefined,
      lastSeen: record.lastSeen,
      devices: entry?.devices ?? [],
      identityKey: record.publicKey,
      ...(entry?.remoteAccess ? { remoteAccess: entry.remoteAccess } : {}),
    };
  }
}
