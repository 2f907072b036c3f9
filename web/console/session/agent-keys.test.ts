import { describe, expect, it } from 'vitest';
import { knownAgentKey } from './agent-keys.ts';

function memory(): Pick<Storage, 'getItem' | 'setItem'> {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
  };
}

describe('knownAgentKey', () => {
  it('remembers the first key per agent and refuses another one later', () => {
    const storage = memory();
    expect(knownAgentKey('ag-1', 'KEY-A', storage)).toEqual({ key: 'KEY-A' });
    expect(knownAgentKey('ag-1', 'KEY-A', storage)).toEqual({ key: 'KEY-A' });
    expect(knownAgentKey('ag-2', 'KEY-B', storage)).toEqual({ key: 'KEY-B' });
    expect(knownAgentKey('ag-1', 'KEY-B', storage)).toMatchObject({
      problem: expect.stringContaining('not the one this browser saw before'),
    });
  });

  it('refuses when no key is known at all', () => {
    expect(knownAgentKey('ag-1', null, memory())).toMatchObject({
      problem: expect.stringContaining('does not know'),
    });
  });
});
