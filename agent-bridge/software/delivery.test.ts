import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Device } from '../../shared/devices.ts';
import { enrolmentPayload } from '../../shared/identity.ts';
import type { AgentToServer } from '../../shared/protocol/agent.ts';
import { CHUNK_BYTES, JobView, UploadResponse } from '../../shared/software.ts';
import {
  postJson,
  signInWithTwoFactor,
  startTestServer,
  type TestServer,
} from '../../signaling/testing/harness.ts';
import { Backoff } from '../backoff.ts';
import { SimulatedDeviceAdapter } from '../devices/adapter.ts';
import { DeviceRegistry } from '../devices/registry.ts';
import { loadOrCreateIdentity } from '../identity.ts';
import { ServerLink } from '../link.ts';
import { silentLogger } from '../log.ts';
import { LocalJobs } from './local-jobs.ts';
import { ReleaseKeyPin } from './release-pin.ts';
import { SoftwareAgent } from './service.ts';

const ADMIN = {
  username: 'admin',
  password: 'correct horse battery staple',
  displayName: 'Ada Admin',
  organisation: 'Tether Service',
  role: 'admin' as const,
};

const CVSM: Device = {
  id: 'dev-cvsm',
  name: 'CVSM Ward 3',
  kind: 'vital-signs-monitor',
  manufacturer: 'Welch Allyn',
  model: 'CVSM 6400',
  serial: '100123456789',
  firmware: '2.43.02',
  online: true,
  lastSeen: null,
};

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A TCP pass-through in front of the server, so a test can cut the agent's connection. */
async function cuttableProxy(target: number): Promise<{ port: number; cut(): void }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    upstream.connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => {
    for (const socket of open) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });

  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      for (const socket of open) socket.destroy();
    },
  };
}

async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A real server, an enrolled agent (real key, real link through the proxy) with one device. */
async function scene(options: { maxPackageBytes?: number } = {}) {
  const t: TestServer = await startTestServer(options);
  closers.push(() => t.stop());
  await t.server.admin.ensureUser(ADMIN);
  // Administrators sign in with two-factor sign-in, set up here on the first sign-in.
  const { cookie } = await signInWithTwoFactor(t, ADMIN);

  const agentDir = mkdtempSync(join(tmpdir(), 'software-agent-'));
  const identity = await loadOrCreateIdentity(agentDir, silentLogger());
  const token = await t.server.admin.createEnrolmentToken(t.facilityId);
  await postJson(`${t.server.url}/api/agents/enrol`, {
    token,
    publicKey: identity.publicKeyBase64,
    name: 'Ward PC',
    signature: identity.sign(enrolmentPayload(token, identity.publicKeyBase64)),
  });

  const proxy = await cuttableProxy(t.server.port);
  const devices = new DeviceRegistry();
  devices.upsert(CVSM);
  const link = new ServerLink({
    serverUrl: `http://127.0.0.1:${proxy.port}`,
    identity,
    log: silentLogger(),
    inventory: () => devices.list(),
    backoff: new Backoff({ initialMs: 50, maxMs: 200 }),
  });
  const sent: AgentToServer[] = [];
  const software = new SoftwareAgent({
    jobs: new LocalJobs(agentDir, silentLogger()),
    pin: new ReleaseKeyPin(agentDir, silentLogger()),
    devices,
    adapter: new SimulatedDeviceAdapter({ registry: devices, log: silentLogger(), installMs: 200 }),
    send: (message) => {
      sent.push(message);
      return link.send(message);
    },
    log: silentLogger(),
  });
  link.on('message', (message) => software.handle(message));
  closers.push(() => {
    software.stop();
    link.close();
  });
  link.start();
  await until(() => link.online, 'the agent online');

  const agentId = identity.agentId;
  // The server learns the device from the agent's inventory, sent right after connecting.
  await expect.poll(async () => (await t.server.admin.listAgents())[0]?.devices.length).toBe(1);
  const upload = async (bytes: Buffer, version: string): Promise<string> => {
    const query = new URLSearchParams({
      name: 'CVSM firmware',
      version,
      kind: 'firmware',
      models: 'CVSM 6400',
      notes: 'Fixes NIBP retries.',
    });
    const res = await fetch(`${t.server.url}/api/software/packages?${query}`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/octet-stream' },
      body: new Uint8Array(bytes),
    });
    expect(res.status).toBe(200);
    return UploadResponse.parse(await res.json()).package.id;
  };
  const deliver = async (packageId: string): Promise<string> => {
    const res = await postJson(
      `${t.server.url}/api/software/jobs`,
      { packageId, target: { kind: 'devices', agentId, deviceIds: [CVSM.id] } },
      { cookie },
    );
    const body = (await res.json()) as { jobs: unknown[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return JobView.parse(body.jobs[0]).id;
  };
  const serverJob = async (jobId: string) => {
    const res = await fetch(`${t.server.url}/api/software`, { headers: { cookie } });
    const overview = (await res.json()) as { jobs: unknown[] };
    return overview.jobs.map((job) => JobView.parse(job)).find((job) => job.id === jobId);
  };

  return { t, cookie, agentDir, proxy, devices, link, software, sent, upload, deliver, serverJob };
}

describe('software delivery, server to agent', () => {
  it('resumes a download cut mid-way from the bytes it has, verifies and installs', async () => {
    const s = await scene();
    const bytes = randomBytes(40 * CHUNK_BYTES + 123);
    const packageId = await s.upload(bytes, '2.50.00');
    const jobId = await s.deliver(packageId);
    await until(() => s.software.jobs().some((j) => j.offer.jobId === jobId), 'the offer');

    let cutAt = -1;
    s.software.on('change', () => {
      const job = s.software.jobs().find((j) => j.offer.jobId === jobId);
      const progress = job?.shared?.state === 'downloading' ? (job.shared.progress ?? 0) : 0;
      if (cutAt < 0 && progress >= 0.25) {
        cutAt = progress;
        s.proxy.cut();
      }
    });
    s.software.answer(jobId, { kind: 'now' });

    await until(() => s.devices.list()[0]?.firmware === '2.50.00', 'the new firmware', 30_000);
    expect(cutAt).toBeGreaterThan(0);
    expect(cutAt).toBeLessThan(1);

    const offsets = s.sent.flatMap((m) => (m.type === 'software.chunk.request' ? [m.offset] : []));
    const chunks = Math.ceil(bytes.length / CHUNK_BYTES);
    // After the cut the agent started again past zero, and fetched little twice.
    const restart = offsets.findIndex((offset, i) => i > 0 && offset < (offsets[i - 1] ?? 0));
    expect(restart).toBeGreaterThan(0);
    expect(offsets[restart]).toBeGreaterThan(0);
    expect(offsets.length).toBeLessThan(chunks + 8);

    await until(
      () => s.sent.some((m) => m.type === 'software.report' && m.state === 'installed'),
      'report',
    );
    await expect.poll(async () => (await s.serverJob(jobId))?.targets[0]?.state).toBe('installed');
    const job = await s.serverJob(jobId);
    expect(job?.targets[0]?.firmware).toBe('2.50.00');
    const audit = await s.t.server.admin.listAudit();
    const actions = audit.map((r) => r.action);
    expect(actions).toContain('software.package_uploaded');
    expect(actions).toContain('software.downloading');
    expect(actions).toContain('software.installed');
    expect((await s.t.server.admin.verifyAudit()).ok).toBe(true);
    expect(readdirSync(join(s.agentDir, 'software', 'staging'))).toEqual([]);
  });

  it('refuses a package whose stored bytes were altered after signing', async () => {
    const s = await scene();
    const packageId = await s.upload(randomBytes(3 * CHUNK_BYTES), '2.51.00');
    writeFileSync(join(s.t.dataDir, 'packages', `${packageId}.bin`), randomBytes(3 * CHUNK_BYTES));
    const jobId = await s.deliver(packageId);
    await until(() => s.software.jobs().some((j) => j.offer.jobId === jobId), 'the offer');

    s.software.answer(jobId, { kind: 'now' });

    await expect.poll(async () => (await s.serverJob(jobId))?.targets[0]?.state).toBe('refused');
    const job = await s.serverJob(jobId);
    expect(job?.targets[0]?.detail).toMatch(/does not match its signed SHA-256/);
    expect(s.devices.list()[0]?.firmware).toBe('2.43.02');
    const refused = (await s.t.server.admin.listAudit()).find(
      (r) => r.action === 'software.refused',
    );
    expect(JSON.stringify(refused?.detail)).toMatch(/altered or damaged/);
  });

  it('refuses an upload by a technician, too large or without fields, in words', async () => {
    const s = await scene({ maxPackageBytes: 64 * 1024 });
    const techCookie =
      (
        (
          await postJson(`${s.t.server.url}/api/session`, {
            username: 'tech',
            password: ADMIN.password,
          })
        ).headers.get('set-cookie') ?? ''
      ).split(';')[0] ?? '';
    const query = 'name=X&version=1&kind=firmware&models=CVSM%206400&notes=';
    const asTech = await fetch(`${s.t.server.url}/api/software/packages?${query}`, {
      method: 'POST',
      headers: { cookie: techCookie },
      body: Buffer.from('image'),
    });
    expect(asTech.status).toBe(403);
    expect(((await asTech.json()) as { message: string }).message).toMatch(
      /only administrators may upload packages/,
    );

    const noModel = await fetch(
      `${s.t.server.url}/api/software/packages?name=X&version=1&kind=firmware`,
      {
        method: 'POST',
        headers: { cookie: s.cookie },
        body: Buffer.from('image'),
      },
    );
    expect(noModel.status).toBe(400);
    expect(((await noModel.json()) as { message: string }).message).toMatch(/device model/);

    const tooLarge = await fetch(`${s.t.server.url}/api/software/packages?${query}`, {
      method: 'POST',
      headers: { cookie: s.cookie },
      body: randomBytes(100 * 1024),
    });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { message: string }).message).toMatch(/larger than/);
    expect(readdirSync(join(s.t.dataDir, 'packages'))).toEqual([]);
  });
});
