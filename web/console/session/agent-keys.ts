/** Where this browser remembers each agent's identity key. */
const STORE_KEY = 'tether.agent-keys';

export type KnownKey = { key: string } | { problem: string };

/**
 * The agent's identity key as this browser trusts it: the first key the server named for
 * the agent is remembered, and a later different one is refused, so that a server that
 * starts lying about a key this browser already knows is caught (trust on first use).
 */
export function knownAgentKey(
  agentId: string,
  offered: string | null,
  storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage,
): KnownKey {
  if (!offered) return { problem: "The console does not know this agent's identity key." };

  const known = read(storage);
  const pinned = known[agentId];
  if (pinned && pinned !== offered) {
    return {
      problem:
        "This agent's identity key is not the one this browser saw before. The connection " +
        'was refused; ask the facility whether the agent was reinstalled.',
    };
  }
  if (!pinned) storage.setItem(STORE_KEY, JSON.stringify({ ...known, [agentId]: offered }));
  return { key: offered };
}

function read(storage: Pick<Storage, 'getItem'>): Record<string, string> {
  try {
    const value: unknown = JSON.parse(storage.getItem(STORE_KEY) ?? '{}');
    return value && typeof value === 'object' ? (value as Record<string, string>) : {};
  } catch {
    return {};
  }
}
