import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TetherError } from '../../shared/errors.ts';
import { ConsoleToServer } from '../../shared/protocol/console.ts';
import type { Role } from '../../shared/protocol/views.ts';
import { messageTypes } from '../sockets/messages.ts';
import {
  TECH,
  cookieOf,
  openSocket,
  postJson,
  request,
  signInWithTwoFactor,
  startTestServer,
  type TestServer,
} from '../testing/harness.ts';
import {
  PERMISSIONS,
  audienceOf,
  messageAction,
  requireRole,
  routeAction,
  type Audience,
} from './permissions.ts';

const ROLES: Role[] = ['admin', 'technician', 'expert'];
const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } as const;

/** A valid message of every type the console sends, so that only the permission decides. */
const SAMPLES: { [T in ConsoleToServer['type']]: Extract<ConsoleToServer, { type: T }> } = {
  'agents.list': { type: 'agents.list' },
  'session.request': {
    type: 'session.request',
    agentId: 'ag-nobody',
    capabilities: ['logs.read'],
    reason: 'permission test',
  },
  'session.end': { type: 'session.end', sessionId: 'ses-nobody' },
  signal: { type: 'signal', sessionId: 'ses-nobody', attempt: 0, data: OFFER },
  'session.retry': { type: 'session.retry', sessionId: 'ses-nobody', mode: 'lost' },
  'capability.request': {
    type: 'capability.request',
    sessionId: 'ses-nobody',
    capabilities: ['logs.read'],
  },
  'unattended.finish': { type: 'unattended.finish', sessionId: 'ses-nobody' },
};

const httpRows = Object.entries(PERMISSIONS as Record<string, Audience>).filter(
  ([action]) => !action.startsWith('msg '),
);

function allows(audience: Audience, role: Role): boolean {
  return audience === 'anyone' || audience === 'setup' || audience.includes(role);
}

describe('the permission table', () => {
  let t: TestServer;
  const cookies = {} as Record<Role, string>;
  const sockets = {} as Record<Role, Socket>;
  /** An administrator who has not set up two-factor sign-in yet. */
  let pendingAdmin = '';

  beforeAll(async () => {
    t = await startTestServer();
    const base = { ...TECH, displayName: 'Someone' };
    await t.server.admin.ensureUser({ ...base, username: 'admin', role: 'admin' });
    await t.server.admin.ensureUser({ ...base, username: 'new-admin', role: 'admin' });
    await t.server.admin.ensureUser({ ...base, username: 'expert', role: 'expert' });

    cookies.admin = (await signInWithTwoFactor(t, { ...base, username: 'admin' })).cookie;
    for (const [role, username] of [
      ['technician', TECH.username],
      ['expert', 'expert'],
    ] as const) {
      cookies[role] = cookieOf(
        await postJson(`${t.server.url}/api/session`, { ...base, username }),
      );
    }
    pendingAdmin = cookieOf(
      await postJson(`${t.server.url}/api/session`, { ...base, username: 'new-admin' }),
    );
    for (const role of ROLES) {
      sockets[role] = await openSocket(`${t.server.url}/console`, { cookie: cookies[role] });
    }
  });

  afterAll(async () => {
    for (const socket of Object.values(sockets)) socket.close();
    await t.stop();
  });

  it('has a row for every console message and every HTTP route, and none left over', () => {
    for (const type of messageTypes(ConsoleToServer)) {
      expect(audienceOf(messageAction(type)), type).toBeDefined();
    }
    const registered = t.server.routes().map((r) => routeAction(r.method, r.pattern));
    for (const action of registered) expect(audienceOf(action), action).toBeDefined();
    expect(httpRows.map(([action]) => action).sort()).toEqual([...registered].sort());
  });

  it('lets experts change nothing and only administrators administer', () => {
    const rows = Object.entries(PERMISSIONS as Record<string, Audience>);
    const expertMay = rows.filter(([, audience]) => allows(audience, 'expert'));
    for (const [action, audience] of expertMay) {
      const reads = action.startsWith('GET ') || action === 'msg agents.list';
      const ownSignIn = audience === 'anyone' || audience === 'setup';
      expect(reads || ownSignIn, action).toBe(true);
    }
    for (const [action, audience] of rows.filter(([a]) => a.includes(' /api/admin/'))) {
      expect(audience, action).toEqual(['admin']);
    }
    expect(PERMISSIONS['POST /api/software/packages']).toEqual(['admin']);
    const auditRows = rows.filter(([a]) => a.includes(' /api/audit'));
    expect(auditRows.map(([action]) => action).sort()).toEqual([
      'GET /api/audit',
      'GET /api/audit/chain',
      'GET /api/audit/export',
    ]);
    for (const [action, audience] of auditRows) expect(audience, action).toEqual(['admin']);
  });

  it('refuses what has no row, in words', () => {
    expect(audienceOf('GET /api/nowhere')).toBeUndefined();
    expect(() => requireRole('GET /api/nowhere', 'admin')).toThrow(
      new TetherError('forbidden', 'This is not allowed: no permission rule covers it.'),
    );
    expect(() => requireRole('msg no.such.message', 'admin')).toThrow(/no permission rule/);
  });

  it('lets each role send exactly the console messages the table allows', async () => {
    for (const [type, sample] of Object.entries(SAMPLES)) {
      const audience = audienceOf(messageAction(type));
      for (const role of ROLES) {
        const ack = await request(sockets[role], sample);
        const what = `${role} ${type}: ${JSON.stringify(ack)}`;
        if (audience && allows(audience, role)) {
          expect(ack.code, what).not.toBe('forbidden');
        } else {
          expect(ack, what).toMatchObject({ ok: false, code: 'forbidden' });
          expect(ack.message, what).toMatch(new RegExp(`You are signed in as an? ${role}`));
        }
      }
    }
  });

  it('lets each role call exactly the HTTP routes the table allows', async () => {
    for (const [action, audience] of httpRows) {
      const [method = 'GET', pattern = '/'] = action.split(' ');
      const path = pattern.replace(/:\w+/g, 'nobody');
      const call = (cookie?: string): Promise<Response> =>
        fetch(`${t.server.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          body: method === 'GET' ? undefined : '{}',
        });

      const anonymous = await call();
      if (audience === 'anyone') {
        expect([401, 403], `${action} without sign-in`).not.toContain(anonymous.status);
        continue;
      }
      expect(anonymous.status, `${action} without sign-in`).toBe(401);

      const pending = await call(pendingAdmin);
      if (audience === 'setup') expect([401, 403], action).not.toContain(pending.status);
      else expect(pending.status, `${action} before two-factor setup`).toBe(403);

      for (const role of ROLES) {
        const res = await call(cookies[role]);
        const what = `${role} ${action}: ${res.status}`;
        if (allows(audience, role)) {
          expect([401, 403], what).not.toContain(res.status);
        } else {
          expect(res.status, what).toBe(403);
          expect(await res.json(), what).toMatchObject({
            code: 'forbidden',
            message: expect.stringMatching(/only administrators/) as unknown,
          });
        }
      }
    }
  });
});
