import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/harness.ts';
import { isConsentPath } from './static-files.ts';

describe('HTTP surface', () => {
  let t: TestServer;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'tether-dist-'));
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'consent.html'), '<!doctype html><title>consent</title>');
    writeFileSync(join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    t = await startTestServer({ staticDir: dist });
  });

  afterAll(async () => {
    await t.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the console for / and for unknown app paths, with security headers', async () => {
    for (const path of ['/', '/agents/some-agent']) {
      const res = await fetch(`${t.server.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('console');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("worker-src 'self' blob:");
      expect(csp).toMatch(/connect-src 'self' ws:\/\/localhost:\d+ wss:\/\/localhost:\d+/);
    }
  });

  it('serves hashed assets as immutable', async () => {
    const res = await fetch(`${t.server.url}/assets/app-1234.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('never serves the consent page', async () => {
    for (const path of ['/consent.html', '/consent', '/%63onsent.html', '/./consent.html']) {
      const res = await fetch(`${t.server.url}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it('answers unknown API paths and wrong methods with an ErrorBody', async () => {
    const missing = await fetch(`${t.server.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 'not_found' });

    const wrong = await fetch(`${t.server.url}/api/agents/enrol`);
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toMatchObject({ code: 'bad_request' });
  });

  it('reports health', async () => {
    const res = await fetch(`${t.server.url}/healthz`);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('isConsentPath', () => {
  it('recognises the consent page however it is spelled', () => {
    expect(isConsentPath('/consent.html?x=1')).toBe(true);
    expect(isConsentPath('/CONSENT.HTML')).toBe(true);
    expect(isConsentPath('/assets/../consent.html')).toBe(true);
    expect(isConsentPath('/')).toBe(false);
    expect(isConsentPath('/consenting-adults')).toBe(false);
  });
});
