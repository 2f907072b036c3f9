import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrolmentPayload } from '../../shared/identity.ts';
import {
  enrol,
  makeAgentKey,
  postJson,
  signText,
  startTestServer,
  type TestServer,
} from '../testing/harness.ts';

describe('agent enrolment', () => {
  let t: TestServer;

  beforeEach(async () => {
    t = await startTestServer();
  });

  afterEach(async () => {
    await t.stop();
  });

  it('binds a key to the facility with a good token', async () => {
    const key = await makeAgentKey();
    const res = await enrol(t, key);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      agentId: key.agentId,
      facility: { id: t.facilityId, name: 'Test Facility' },
      releaseKey: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
    });
    const agents = await t.server.admin.listAgents();
    expect(agents).toMatchObject([{ id: key.agentId, online: false, devices: [] }]);
    const audit = await t.server.admin.listAudit();
    expect(audit.map((r) => r.action)).toContain('agent.enrolled');
  });

  it('refuses a token the second time', async () => {
    const token = await t.server.admin.createEnrolmentToken(t.facilityId);
    expect((await enrol(t, await makeAgentKey(), token)).status).toBe(200);

    const again = await enrol(t, await makeAgentKey(), token);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ code: 'enrolment_invalid' });
  });

  it('refuses an expired or unknown token', async () => {
    const expired = await t.server.admin.createEnrolmentToken(t.facilityId, -1000);
    const res = await enrol(t, await makeAgentKey(), expired);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'enrolment_invalid' });

    const unknown = await enrol(t, await makeAgentKey(), 'x'.repeat(43));
    expect(unknown.status).toBe(403);
  });

  it('refuses a signature by another key, and keeps the token for a proper try', async () => {
    const key = await makeAgentKey();
    const impostor = await makeAgentKey();
    const token = await t.server.admin.createEnrolmentToken(t.facilityId);

    const res = await postJson(`${t.server.url}/api/agents/enrol`, {
      token,
      publicKey: key.publicKeyBase64,
      name: 'Service PC',
      signature: signText(impostor.privateKey, enrolmentPayload(token, key.publicKeyBase64)),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'enrolment_invalid' });

    expect((await enrol(t, key, token)).status).toBe(200);
  });

  it('lets the same key enrol again with a fresh token', async () => {
    const key = await makeAgentKey();
    expect((await enrol(t, key)).status).toBe(200);
    expect((await enrol(t, key)).status).toBe(200);
    expect(await t.server.admin.listAgents()).toHaveLength(1);
  });

  it('answers a malformed body with 400', async () => {
    const res = await postJson(`${t.server.url}/api/agents/enrol`, { token: 'short' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'bad_request' });
  });
});
