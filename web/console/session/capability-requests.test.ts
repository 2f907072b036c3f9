import { describe, it, expect } from 'vitest';
import type { Capability } from '../../../shared/capabilities.ts';
import { CapabilityRequests } from './capability-requests.svelte.ts';

describe('CapabilityRequests', () => {
  it('waits for the answer and forgets a granted request', async () => {
    const asked: Capability[][] = [];
    const requests = new CapabilityRequests(async (capabilities) => {
      asked.push(capabilities);
      return { ok: true };
    });

    await requests.request(['screen.control']);
    await requests.request(['screen.control']);
    expect(asked).toEqual([['screen.control']]);
    expect(requests.waiting('screen.control')).toBe(true);

    requests.answer({ capabilities: ['screen.control'], granted: true, detail: null });
    expect(requests.waiting('screen.control')).toBe(false);
    expect(requests.refusal('screen.control')).toBeNull();
  });

  it("shows staff's refusal, and the server's when it refused to ask", async () => {
    const requests = new CapabilityRequests(async () => ({
      ok: false,
      message: 'The session already has that access.',
    }));

    await requests.request(['screen.view']);
    expect(requests.refusal('screen.view')).toBe('The session already has that access.');

    requests.answer({
      capabilities: ['screen.view'],
      granted: false,
      detail: 'The facility denied the request.',
    });
    expect(requests.refusal('screen.view')).toBe('The facility denied the request.');
  });
});
