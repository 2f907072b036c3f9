import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TECH,
  inboxOf,
  openSocket,
  postJson,
  startTestServer,
  type TestServer,
} from '../testing/harness.ts';

describe('sign-in and web sessions', () => {
  let t: TestServer;
  let api: string;

  beforeEach(async () => {
    t = await startTestServer();
    api = `${t.server.url}/api/session`;
  });

  afterEach(async () => {
    await t.stop();
  });

  it('signs in, sets an HttpOnly cookie, and knows the user afterwards', async () => {
    const res = await postJson(api, { username: TECH.username, password: TECH.password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { step: string; user: Record<string, unknown> };
    expect(body).toMatchObject({ step: 'signed_in', twoFactor: false, setupRequired: false });
    expect(body.user).toMatchObject({ username: TECH.username, role: 'technician' });
    expect(body.user).not.toHaveProperty('password_hash');

    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^tether_session=[\w-]+\.[\w-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const cookie = setCookie.split(';')[0] ?? '';

    const me = await fetch(api, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect({ step: 'signed_in', ...((await me.json()) as object) }).toEqual(body);

    const out = await fetch(api, { method: 'DELETE', headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await fetch(api, { headers: { cookie } })).status).toBe(401);

    const actions = (await t.server.admin.listAudit()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['signin.success', 'signout']));
  });

  it('answers a wrong password with 401 and the words for it', async () => {
    const res = await postJson(api, { username: TECH.username, password: 'wrong' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      code: 'invalid_credentials',
      message: 'Wrong user name or password.',
    });

    const unknown = await postJson(api, { username: 'nobody', password: 'wrong' });
    expect(unknown.status).toBe(401);
    const failure = (await t.server.admin.listAudit()).find((r) => r.action === 'signin.failure');
    expect(JSON.stringify(failure)).not.toContain('wrong');
  });

  it('answers a malformed body with 400 and the schema message', async () => {
    const res = await postJson(api, { username: '', password: 'x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      code: 'bad_request',
      message: /Enter your user name/,
    });

    const notJson = await postJson(api, '{nope');
    expect(notJson.status).toBe(400);
  });

  it('refuses bodies over 64 KiB with 413', async () => {
    const res = await postJson(api, { username: 'a', password: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'message_too_large' });
  });

  it('slows down repeated failures with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      statuses.push((await postJson(api, { username: TECH.username, password: 'nope' })).status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.at(-1)).toBe(429);

    const res = await postJson(api, { username: TECH.username, password: TECH.password });
    expect(await res.json()).toMatchObject({ code: 'rate_limited' });
  });

  it('refuses a cross-origin sign-in', async () => {
    const res = await postJson(
      api,
      { username: TECH.username, password: TECH.password },
      { origin: 'http://evil.example' },
    );
    expect(res.status).toBe(403);
  });

  it('treats a tampered or missing cookie as signed out', async () => {
    expect((await fetch(api)).status).toBe(401);
    const res = await fetch(api, { headers: { cookie: 'tether_session=abc.def' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthenticated' });
  });

  it('refuses a console socket without a valid cookie', async () => {
    const url = `${t.server.url}/console`;
    await expect(openSocket(url, {})).rejects.toThrow('unauthenticated');
    await expect(openSocket(url, { cookie: 'tether_session=forged.sig' })).rejects.toThrow(
      'unauthenticated',
    );
  });

  it('accepts a console socket that starts with long-polling, as browsers do', async () => {
    const res = await postJson(api, { username: TECH.username, password: TECH.password });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const socket = await openSocket(`${t.server.url}/console`, { cookie, polling: true });
    try {
      expect((await inboxOf(socket).take('hello')).user).toMatchObject({ username: TECH.username });
    } finally {
      socket.close();
    }
  });

  it('keeps the cookie key private to the server user', () => {
    const mode = statSync(join(t.dataDir, 'secrets', 'cookie.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('updates an account password on ensureUser and keeps one account', async () => {
    await t.server.admin.ensureUser({ ...TECH, password: 'a new passphrase' });
    expect((await postJson(api, { username: TECH.username, password: TECH.password })).status).toBe(
      401,
    );
    const res = await postJson(api, { username: TECH.username, password: 'a new passphrase' });
    expect(res.status).toBe(200);
  });
});
