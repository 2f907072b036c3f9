import { describe, expect, it } from 'vitest';
import { agentIdFromPublicKey, proofPayload } from './identity.ts';

describe('agent identity', () => {
  it('derives a stable ID from the public key', async () => {
    const key = new Uint8Array(32).fill(7);
    const a = await agentIdFromPublicKey(key);
    const b = await agentIdFromPublicKey(new Uint8Array(32).fill(7));
    expect(a).toBe(b);
    expect(a).toMatch(/^ag-[0-9a-f]{32}$/);
  });

  it('gives different keys different IDs', async () => {
    const a = await agentIdFromPublicKey(new Uint8Array(32).fill(1));
    const b = await agentIdFromPublicKey(new Uint8Array(32).fill(2));
    expect(a).not.toBe(b);
  });

  it('binds the proof to both the agent and the challenge', () => {
    expect(proofPayload('ag-1', 'c1')).not.toBe(proofPayload('ag-2', 'c1'));
    expect(proofPayload('ag-1', 'c1')).not.toBe(proofPayload('ag-1', 'c2'));
  });
});
