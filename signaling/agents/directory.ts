import type { AgentView } from '../../shared/protocol/views.ts';
import type { AgentStore } from './agent-store.ts';
import type { AgentRegistry } from './registry.ts';

/** Agents as the console lists them: stored facts joined with who is online now. */
export class AgentDirectory {
  readonly #store: AgentStore;
  readonly #registry: AgentRegistry;

  constructor(store: AgentStore, registry: AgentRegistry) {
    this.#store = store;
    this.#registry = registry;
  }

  /**
   * Every enrolled agent that is not revoked. Each console sees all of them; per-facility
   * access comes later.
   */
  async list(): Promise<AgentView[]> {
    const records = await this.#store.list();
    return records.map((record) => this.#registry.view(record));
  }

  /** One agent's view; undefined when unknown or revoked, as the console no longer lists it. */
  async view(agentId: string): Promise<AgentView | undefined> {
    const record = await this.#store.get(agentId);
    return record && record.revokedAt === null ? this.#registry.view(record) : undefined;
  }
}
