import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TECH,
  connectAgent,
  cookieOf,
  enrol,
  inboxOf,
  makeAgentKey,
  openSocket,
  postJson,
  request,
  signInWithTwoFactor,
  startAdminScene,
  type AdminScene,
} from '../testing/harness.ts';

describe('the Administration API on a real server', () => {
  let scene: AdminScene;
  let url: string;
  let admin: string;

  beforeEach(async () => {
    scene = await startAdminScene();
    url = scene.t.server.url;
    admin = scene.adminCookie;
  });

  afterEach(() => scene.stop());

  const post = (path: string, body: unknown = {}): Promise<Response> =>
    postJson(`${url}${path}`, body, { cookie: admin });
  const get = async (path: string): Promise<Record<string, unknown>> =>
    (await (await fetch(`${url}${path}`, { headers: { cookie: admin } })).json()) as Record<
      string,
      unknown
    >;
  const actionsBy = async (actor: string): Promise<string[]> =>
    (await scene.t.server.admin.listAudit()).filter((r) => r.actor === actor).map((r) => r.action);

  async function idOf(username: string): Promise<string> {
    const { accounts } = (await get('/api/admin/users')) as {
      accounts: { id: string; username: string }[];
    };
    return accounts.find((a) => a.username === username)?.id ?? '';
  }

  it('creates an account whose generated first password signs in, once per name', async () => {
    const res = await post('/api/admin/users', {
      username: 'new-tech',
      displayName: 'Nora New',
      organisation: 'Tether Service',
      role: 'technician',
    });
    const created = (await res.json()) as { account: { id: string }; password: string };
    expect(created.account).toMatchObject({ role: 'technician', disabled: false });
    expect(created.password).toMatch(/^[\w-]{16}$/);

    const signIn = await postJson(`${url}/api/session`, {
      username: 'new-tech',
      password: created.password,
    });
    expect(signIn.status).toBe(200);

    const again = await post('/api/admin/users', {
      username: 'new-tech',
      displayName: 'Nora Again',
      organisation: 'Tether Service',
      role: 'expert',
    });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      message: 'The user name new-tech is already taken.',
    });
    const bad = await post('/api/admin/users', {
      username: 'has space',
      displayName: 'X',
      organisation: 'Y',
      role: 'technician',
    });
    expect(await bad.json()).toMatchObject({ code: 'bad_request', message: /may hold letters/ });

    const adminId = await idOf('admin');
    expect(await actionsBy(`user:${adminId}`)).toContain('account.created');
    const record = (await scene.t.server.admin.listAudit()).find(
      (r) => r.action === 'account.created',
    );
    expect(JSON.stringify(record)).not.toContain(created.password);
  });

  it('disables an account: its console is dropped at once and it cannot sign in', async () => {
    const techId = await idOf(TECH.username);
    const dropped = new Promise<string>((resolve) =>
      scene.consoleSocket.once('disconnect', (reason) => resolve(reason)),
    );

    const res = await post(`/api/admin/users/${techId}/disable`);
    expect(await res.json()).toMatchObject({ account: { disabled: true } });
    expect(await dropped).toBe('io server disconnect');

    const signIn = await postJson(`${url}/api/session`, TECH);
    expect(signIn.status).toBe(403);
    expect(await signIn.json()).toMatchObject({
      message: 'This account is disabled. Ask an administrator to enable it.',
    });
    const wrong = await postJson(`${url}/api/session`, { ...TECH, password: 'not it' });
    expect(await wrong.json()).toMatchObject({ code: 'invalid_credentials' });

    await post(`/api/admin/users/${techId}/enable`);
    expect((await postJson(`${url}/api/session`, TECH)).status).toBe(200);
    expect(await actionsBy(`user:${await idOf('admin')}`)).toEqual(
      expect.arrayContaining(['account.disabled', 'account.enabled']),
    );
  });

  it('refuses to disable or reset one’s own account, in words', async () => {
    const self = await idOf('admin');
    const res = await post(`/api/admin/users/${self}/disable`);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({
      message: 'You cannot disable your own account. Ask another administrator.',
    });
    expect((await post('/api/admin/users/usr-nobody/enable')).status).toBe(404);
  });

  it('resets two-factor sign-in and signs the account out', async () => {
    const { cookie } = await signInWithTwoFactor(scene.t, TECH);
    const techId = await idOf(TECH.username);

    const res = await post(`/api/admin/users/${techId}/reset-two-factor`);
    expect(await res.json()).toMatchObject({ account: { twoFactor: false } });
    expect((await fetch(`${url}/api/session`, { headers: { cookie } })).status).toBe(401);
    expect(await (await postJson(`${url}/api/session`, TECH)).json()).toMatchObject({
      step: 'signed_in',
      twoFactor: false,
    });
  });

  it('makes a facility and a single-use, expiring enrolment token for it', async () => {
    const made = await post('/api/admin/facilities', { name: 'North Clinic' });
    const { facility } = (await made.json()) as { facility: { id: string } };
    const twice = await post('/api/admin/facilities', { name: 'North Clinic' });
    expect(await twice.json()).toMatchObject({ message: /already a facility called North Clinic/ });

    const res = await post('/api/admin/enrolment-tokens', {
      facilityId: facility.id,
      validHours: 2,
    });
    const body = (await res.json()) as { token: string; expiresAt: string };
    const hours = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(1.9);
    expect(hours).toBeLessThanOrEqual(2);

    expect((await enrol(scene.t, await makeAgentKey(), body.token)).status).toBe(200);
    expect((await enrol(scene.t, await makeAgentKey(), body.token)).status).toBe(403);

    const tooLong = await post('/api/admin/enrolment-tokens', {
      facilityId: facility.id,
      validHours: 1000,
    });
    expect(await tooLong.json()).toMatchObject({ message: /at most 168 hours/ });
    const facilities = (await get('/api/admin/facilities')) as { facilities: unknown[] };
    expect(facilities.facilities).toContainEqual({ id: facility.id, name: 'North Clinic' });
  });

  it('revokes an agent: its session ends, it is dropped and refused from then on', async () => {
    const { key, agent, consoleSocket, consoleInbox } = scene;
    const ask = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read'],
      reason: 'Revocation test',
    });
    const sessionId = (ask.session as { id: string }).id;
    const agentGone = new Promise<string>((resolve) => agent.once('disconnect', resolve));

    const res = await post(`/api/admin/agents/${key.agentId}/revoke`);
    expect(await res.json()).toMatchObject({ agent: { id: key.agentId, online: false } });
    expect(await agentGone).toBe('io server disconnect');
    const ended = await consoleInbox.take('session.update', (m) => {
      const session = m.session as { id: string; state: string };
      return session.id === sessionId && session.state === 'ended';
    });
    expect(ended.session).toMatchObject({ endDetail: /revoked the facility agent/ });
    const snapshot = await consoleInbox.take('agents.snapshot', (m) =>
      (m.agents as { id: string }[]).every((a) => a.id !== key.agentId),
    );
    expect(snapshot).toBeDefined();

    await expect(connectAgent(scene.t, key)).rejects.toThrow('proof_invalid');
    const again = await enrol(scene.t, key);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ message: /An administrator revoked this agent/ });

    const { agents } = (await get('/api/admin/agents')) as { agents: { revokedAt: string }[] };
    expect(agents[0]?.revokedAt).toBeTruthy();
    const fresh = await openSocket(`${url}/console`, {
      cookie: cookieOf(await postJson(`${url}/api/session`, TECH)),
    });
    const list = await inboxOf(fresh).take('agents.snapshot');
    fresh.close();
    expect(list.agents).toEqual([]);
    expect(await actionsBy(`user:${await idOf('admin')}`)).toContain('agent.revoked');
  });
});
