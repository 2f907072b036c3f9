import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Capability } from '../../shared/capabilities.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToConsent, ConsentState } from '../../shared/protocol/consent.ts';
import { silentLogger } from '../log.ts';
import { ConsentServer } from './server.ts';

const STATE: ConsentState = {
  type: 'consent.state',
  facility: { name: 'Demo Facility' },
  agent: { id: 'ag-1', name: 'Service PC', online: true },
  pending: [],
  active: [],
  recent: [],
  updates: [],
  access: {
    remoteAccess: true,
    attended: true,
    oneTimeCodes: {
      enabled: true,
      validMinutes: 10,
      grantable: ['logs.read', 'screen.view', 'screen.control'],
      preselected: ['logs.read', 'screen.view'],
    },
    code: null,
    codesRefusedUntil: null,
  },
};

let server: ConsentServer | undefined;
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server?.close();
  server = undefined;
});

async function start() {
  const staticDir = mkdtempSync(join(tmpdir(), 'static-'));
  mkdirSync(join(staticDir, 'assets'));
  writeFileSync(join(staticDir, 'consent.html'), '<!doctype html><title>Consent</title>');
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Console</title>');
  writeFileSync(join(staticDir, 'assets', 'consent-abc.js'), 'console.log(1)');

  const approvals: [string, Capability[]][] = [];
  const switches: boolean[] = [];
  server = new ConsentServer({
    port: 0,
    staticDir,
    log: silentLogger(),
    state: () => STATE,
    actions: {
      approve: (sessionId, capabilities) => {
        if (sessionId !== 's1')
          throw new TetherError('not_found', 'This request is no longer open.');
        approvals.push([sessionId, capabilities]);
      },
      deny: () => undefined,
      revoke: () => undefined,
      end: () => undefined,
      createCode: (capabilities) => ({
        code: capabilities.length === 1 ? '012345678' : '987654321',
        expiresAt: '2030-01-01T10:10:00.000Z',
      }),
      cancelCode: () => undefined,
      setRemoteAccess: (on) => void switches.push(on),
    },
  });
  const url = await server.listen();

  return { url, port: Number(new URL(url).port), approvals, switches };
}

function get(port: number, path: string, host: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

function connect(url: string, origin: string): Socket {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { origin },
  });
  sockets.push(socket);
  return socket;
}

function nextMessage(socket: Socket): Promise<AgentToConsent> {
  return new Promise((resolve) => socket.once('msg', resolve));
}

describe('ConsentServer', () => {
  it('serves the consent page and its assets with security headers, nothing else', async () => {
    const { port } = await start();
    const host = `127.0.0.1:${port}`;

    const page = await get(port, '/', host);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Consent</title>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');

    expect((await get(port, '/assets/consent-abc.js', `localhost:${port}`)).status).toBe(200);
    expect((await get(port, '/index.html', host)).status).toBe(404);
    expect((await get(port, '/assets/../index.html', host)).status).toBe(404);
    expect((await get(port, '/assets/%2e%2e/index.html', host)).status).toBe(404);
    expect((await get(port, '/socket.io/socket.io.js', host)).status).not.toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const { port } = await start();

    expect((await get(port, '/', `evil.example:${port}`)).status).toBe(403);
    expect((await get(port, '/', '127.0.0.1:1')).status).toBe(403);
  });

  it('pushes the state on connect and refuses sockets from other origins', async () => {
    const { url } = await start();
    const good = connect(url, url.replace(/\/$/, ''));
    expect(await nextMessage(good)).toEqual(STATE);

    const bad = connect(url, 'http://evil.example');
    const error = await new Promise<Error>((resolve) => bad.once('connect_error', resolve));
    expect(error.message).toBeTruthy();
  });

  it('passes staff decisions on and answers bad ones with an error message', async () => {
    const { url, approvals } = await start();
    const socket = connect(url, url.replace(/\/$/, ''));
    await nextMessage(socket);

    socket.emit('msg', { type: 'consent.approve', sessionId: 's1', capabilities: ['logs.read'] });
    socket.emit('msg', { type: 'consent.approve', sessionId: 's2', capabilities: ['logs.read'] });
    expect(await nextMessage(socket)).toEqual({
      type: 'error',
      message: 'This request is no longer open.',
    });
    socket.emit('msg', { type: 'consent.approve', sessionId: 's1', capabilities: [] });
    expect(await nextMessage(socket)).toMatchObject({ type: 'error' });

    expect(approvals).toEqual([['s1', ['logs.read']]]);
  });

  it('gives the digits of a new code to the asking page only, and takes the switch', async () => {
    const { url, switches } = await start();
    const origin = url.replace(/\/$/, '');
    const asking = connect(url, origin);
    const other = connect(url, origin);
    await Promise.all([nextMessage(asking), nextMessage(other)]);
    const seenByOther: AgentToConsent[] = [];
    other.on('msg', (message: AgentToConsent) => seenByOther.push(message));

    asking.emit('msg', { type: 'code.create', capabilities: ['logs.read'] });
    expect(await nextMessage(asking)).toEqual({
      type: 'code.created',
      code: '012345678',
      expiresAt: '2030-01-01T10:10:00.000Z',
    });
    asking.emit('msg', { type: 'remote-access.set', on: false });
    asking.emit('msg', { type: 'code.create', capabilities: [] });
    expect(await nextMessage(asking)).toMatchObject({ type: 'error' });

    expect(switches).toEqual([false]);
    expect(seenByOther).toEqual([]);
  });
});
