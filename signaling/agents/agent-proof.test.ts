import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proofPayload } from '../../shared/identity.ts';
import {
  challengeFor,
  connectAgent,
  enrol,
  inboxOf,
  makeAgentKey,
  openSocket,
  signText,
  startTestServer,
  type TestAgentKey,
  type TestServer,
} from '../testing/harness.ts';

describe('agent connection proof', () => {
  let t: TestServer;
  let key: TestAgentKey;

  beforeEach(async () => {
    t = await startTestServer();
    key = await makeAgentKey();
    await enrol(t, key);
  });

  afterEach(async () => {
    await t.stop();
  });

  const attempt = (auth: Record<string, string>) =>
    openSocket(`${t.server.url}/agent`, { auth }).then(
      (socket) => {
        socket.close();
        return 'connected';
      },
      (error: Error) => error.message,
    );

  it('connects with a good proof and says hello', async () => {
    const socket = await connectAgent(t, key);
    try {
      const hello = await inboxOf(socket).take('hello');
      expect(hello).toMatchObject({
        agentId: key.agentId,
        facility: { id: t.facilityId },
        openSessionIds: [],
      });
      const agents = await t.server.admin.listAgents();
      expect(agents[0]?.online).toBe(true);
    } finally {
      socket.close();
    }
  });

  it('refuses a proof signed by another key', async () => {
    const other = await makeAgentKey();
    const challenge = await challengeFor(t, key.agentId);
    const signature = signText(other.privateKey, proofPayload(key.agentId, challenge));

    expect(await attempt({ agentId: key.agentId, challenge, signature })).toBe('proof_invalid');
  });

  it('refuses a replayed challenge', async () => {
    const challenge = await challengeFor(t, key.agentId);
    const auth = {
      agentId: key.agentId,
      challenge,
      signature: signText(key.privateKey, proofPayload(key.agentId, challenge)),
    };

    expect(await attempt(auth)).toBe('connected');
    expect(await attempt(auth)).toBe('proof_invalid');
  });

  it('refuses an agent that never enrolled', async () => {
    const stranger = await makeAgentKey();
    const challenge = await challengeFor(t, stranger.agentId);
    const signature = signText(stranger.privateKey, proofPayload(stranger.agentId, challenge));

    expect(await attempt({ agentId: stranger.agentId, challenge, signature })).toBe(
      'proof_invalid',
    );
  });

  it("refuses another agent's challenge and a malformed handshake", async () => {
    const other = await makeAgentKey();
    const challenge = await challengeFor(t, other.agentId);
    const signature = signText(key.privateKey, proofPayload(key.agentId, challenge));

    expect(await attempt({ agentId: key.agentId, challenge, signature })).toBe('proof_invalid');
    expect(await attempt({ agentId: key.agentId })).toBe('proof_invalid');
  });

  it('replaces an earlier connection of the same agent', async () => {
    const first = await connectAgent(t, key);
    const dropped = new Promise<string>((resolve) => first.once('disconnect', resolve));
    const second = await connectAgent(t, key);

    try {
      expect(await dropped).toBe('io server disconnect');
      expect(second.connected).toBe(true);
      const agents = await t.server.admin.listAgents();
      expect(agents[0]?.online).toBe(true);
    } finally {
      second.close();
    }
  });

  it('reports the inventory to consoles through the agent list', async () => {
    const socket = await connectAgent(t, key);
    const device = {
      id: 'dev-1',
      name: 'CT scanner',
      kind: 'ct',
      manufacturer: 'Acme',
      model: 'X1',
      serial: 'SN1',
      firmware: '1.0',
      online: true,
      lastSeen: null,
    };
    try {
      socket.emit('msg', { type: 'agent.inventory', devices: [device] });
      await expect
        .poll(async () => (await t.server.admin.listAgents())[0]?.devices)
        .toEqual([device]);
    } finally {
      socket.close();
    }
  });
});
