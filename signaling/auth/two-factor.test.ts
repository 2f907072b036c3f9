import { statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ADMIN,
  TECH,
  cookieOf,
  openSocket,
  postJson,
  signInWithTwoFactor,
  startTestServer,
  type TestServer,
} from '../testing/harness.ts';
import { freshTotpCode, wrongTotpCode } from '../testing/totp-codes.ts';

const login = { username: ADMIN.username, password: ADMIN.password };

describe('two-factor sign-in on a real server', () => {
  let t: TestServer;
  let url: string;

  beforeEach(async () => {
    t = await startTestServer();
    url = t.server.url;
    await t.server.admin.ensureUser(ADMIN);
  });

  afterEach(async () => {
    await t.stop();
  });

  async function codeStep(ticket: string, code: string): Promise<Response> {
    return postJson(`${url}/api/session/code`, { ticket, code });
  }

  async function ticketFor(account = login): Promise<string> {
    const res = await postJson(`${url}/api/session`, account);
    const body = (await res.json()) as { step: string; ticket: string };
    expect(body.step).toBe('code_required');
    expect(res.headers.get('set-cookie')).toBeNull();
    return body.ticket;
  }

  it('makes an administrator without it set it up before anything else', async () => {
    const res = await postJson(`${url}/api/session`, login);
    expect(await res.json()).toMatchObject({ step: 'signed_in', setupRequired: true });
    const cookie = cookieOf(res);

    const fleet = await fetch(`${url}/api/fleet`, { headers: { cookie } });
    expect(fleet.status).toBe(403);
    expect(await fleet.json()).toMatchObject({ message: /Set up two-factor sign-in first/ });
    await expect(openSocket(`${url}/console`, { cookie })).rejects.toThrow('unauthenticated');

    const setup = await postJson(`${url}/api/account/two-factor/setup`, {}, { cookie });
    const { secret, qr, uri } = (await setup.json()) as Record<string, string>;
    expect(qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(qr?.split(',')[1] ?? '', 'base64').toString()).toContain('<svg');
    expect(uri).toContain(`secret=${secret}`);

    const wrong = await postJson(
      `${url}/api/account/two-factor/confirm`,
      { code: wrongTotpCode(secret ?? '') },
      { cookie },
    );
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: /That code does not match/ });

    const confirm = await postJson(
      `${url}/api/account/two-factor/confirm`,
      { code: await freshTotpCode(secret ?? '') },
      { cookie },
    );
    const done = (await confirm.json()) as { recoveryCodes: string[]; account: unknown };
    expect(done.recoveryCodes).toHaveLength(10);
    expect(done.account).toMatchObject({ twoFactor: true, setupRequired: false });
    expect((await fetch(`${url}/api/fleet`, { headers: { cookie } })).status).toBe(200);

    const actions = (await t.server.admin.listAudit()).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['account.two_factor_enabled']));
    const again = await postJson(`${url}/api/account/two-factor/setup`, {}, { cookie });
    expect(await again.json()).toMatchObject({ message: /already on/ });
  });

  it('gives no session for the password alone, and refuses wrong and replayed codes', async () => {
    const { secret } = await signInWithTwoFactor(t, login);
    const ticket = await ticketFor();

    const wrong = await codeStep(ticket, wrongTotpCode(secret));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: /That code is not right/ });

    const code = await freshTotpCode(secret);
    const ok = await codeStep(ticket, code);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ step: 'signed_in', twoFactor: true });
    expect(ok.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);

    const replay = await codeStep(await ticketFor(), code);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ message: /already used/ });

    const audit = await t.server.admin.listAudit();
    const problems = audit.filter((r) => r.action === 'signin.code_failure').map((r) => r.detail);
    expect(problems).toEqual([
      expect.objectContaining({ problem: 'wrong' }),
      expect.objectContaining({ problem: 'replayed' }),
    ]);
  });

  it('takes each recovery code once', async () => {
    const res = await postJson(`${url}/api/session`, login);
    const cookie = cookieOf(res);
    const setup = await postJson(`${url}/api/account/two-factor/setup`, {}, { cookie });
    const { secret } = (await setup.json()) as { secret: string };
    const confirm = await postJson(
      `${url}/api/account/two-factor/confirm`,
      { code: await freshTotpCode(secret) },
      { cookie },
    );
    const { recoveryCodes } = (await confirm.json()) as { recoveryCodes: string[] };
    const first = recoveryCodes[0] ?? '';

    const used = await codeStep(await ticketFor(), first.toLowerCase());
    expect(used.status).toBe(200);
    const twice = await codeStep(await ticketFor(), first);
    expect(twice.status).toBe(401);
    expect((await codeStep(await ticketFor(), recoveryCodes[1] ?? '')).status).toBe(200);

    const success = (await t.server.admin.listAudit()).filter((r) => r.action === 'signin.success');
    expect(success.at(-1)?.detail).toMatchObject({ secondFactor: 'recovery_code' });
  });

  it('counts wrong codes in the sign-in throttle', async () => {
    const { secret } = await signInWithTwoFactor(t, login);
    const ticket = await ticketFor();
    const wrong = wrongTotpCode(secret);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await codeStep(ticket, wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    expect(await (await codeStep(ticket, wrong)).json()).toMatchObject({
      code: 'rate_limited',
      message: /Try again in \d+ s/,
    });
  });

  it('refuses a forged ticket in words', async () => {
    const res = await codeStep('forged-ticket-forged-ticket.abc', '123456');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ message: /took too long/ });
  });

  it('keeps the TOTP secret encrypted at rest with a key in the data folder', async () => {
    const { secret } = await signInWithTwoFactor(t, login);
    const db = new SQLite(join(t.dataDir, 'tether.db'), { readonly: true });
    try {
      const row = db
        .prepare('SELECT totp_secret, totp_pending FROM users WHERE username = ?')
        .get(ADMIN.username) as { totp_secret: string; totp_pending: string | null };
      expect(row.totp_secret).toMatch(/^v1\./);
      expect(row.totp_secret).not.toContain(secret);
      expect(row.totp_pending).toBeNull();
      const codes = db.prepare('SELECT code_hash FROM recovery_codes').all();
      expect(codes).toHaveLength(10);
    } finally {
      db.close();
    }
    expect(statSync(join(t.dataDir, 'secrets', 'totp.key')).mode & 0o777).toBe(0o600);
  });

  it('lets a technician sign in without it, and turn it on for themselves', async () => {
    const first = await postJson(`${url}/api/session`, TECH);
    expect(await first.json()).toMatchObject({ twoFactor: false, setupRequired: false });
    const { secret } = await signInWithTwoFactor(t, TECH);

    const res = await postJson(`${url}/api/session`, TECH);
    expect(await res.json()).toMatchObject({ step: 'code_required' });
    expect(secret).toMatch(/^[A-Z2-7]+$/);
  });
});

describe('the session cookie behind TLS', () => {
  it('is Secure when the public address is https://', async () => {
    const t = await startTestServer({ publicUrl: 'https://tether.example.org' });
    try {
      const res = await postJson(`${t.server.url}/api/session`, TECH);
      expect(res.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await t.stop();
    }
  });
});
