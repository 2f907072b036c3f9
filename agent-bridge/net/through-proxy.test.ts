import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  inboxOf,
  openSocket,
  signInCookie,
  startTestServer,
  type Inbox,
  type TestServer,
} from '../../signaling/testing/harness.ts';
import { startConnectProxy } from '../../tests/connect-proxy.ts';
import { Backoff } from '../backoff.ts';
import { ensureEnrolled } from '../enrolment.ts';
import { loadOrCreateIdentity } from '../identity.ts';
import { ServerLink } from '../link.ts';
import { silentLogger } from '../log.ts';

const log = silentLogger();
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  vi.unstubAllEnvs();
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the console hears that `agentId` went online or offline. */
async function heard(inbox: Inbox, agentId: string, online: boolean): Promise<void> {
  await inbox.take('agent.update', (m) => {
    const agent = m.agent as { id: string; online: boolean };
    return agent.id === agentId && agent.online === online;
  });
}

/** What a console that signs in now is told about `agentId`: is it online? */
async function listedOnline(t: TestServer, agentId: string): Promise<boolean | undefined> {
  const socket = await openSocket(`${t.server.url}/console`, { cookie: await signInCookie(t) });
  try {
    const snapshot = await inboxOf(socket).take('agents.snapshot');
    const agents = snapshot.agents as { id: string; online: boolean }[];
    return agents.find((agent) => agent.id === agentId)?.online;
  } finally {
    socket.close();
  }
}

describe('the agent behind an HTTP proxy', () => {
  it('enrols and connects through the proxy, and comes back after the proxy drops it', async () => {
    const t = await startTestServer();
    closers.push(() => t.stop());
    const proxy = await startConnectProxy();
    closers.push(() => proxy.close());
    // Lower case wins over HTTP_PROXY, so this holds whatever the machine has set.
    vi.stubEnv('http_proxy', proxy.url);
    vi.stubEnv('no_proxy', '');
    vi.stubEnv('NO_PROXY', '');

    const dataDir = mkdtempSync(join(tmpdir(), 'proxy-agent-'));
    const identity = await loadOrCreateIdentity(dataDir, log);
    await ensureEnrolled({
      dataDir,
      serverUrl: t.server.url,
      name: 'Ward PC',
      token: await t.server.admin.createEnrolmentToken(t.facilityId),
      identity,
      log,
    });
    expect(proxy.tunnels).toBeGreaterThan(0);

    // The console is the test's own client and connects directly.
    const consoleSocket = await openSocket(`${t.server.url}/console`, {
      cookie: await signInCookie(t),
    });
    closers.push(() => void consoleSocket.close());
    const consoleInbox = inboxOf(consoleSocket);
    await consoleInbox.take('agents.snapshot');

    const link = new ServerLink({
      serverUrl: t.server.url,
      identity,
      log,
      inventory: () => [],
      backoff: new Backoff({ initialMs: 50, maxMs: 200 }),
    });
    closers.push(() => link.close());
    const tunnelsBefore = proxy.tunnels;
    link.start();
    await heard(consoleInbox, identity.agentId, true);
    await until(() => link.online, 'the link to come online');
    expect(proxy.tunnels).toBeGreaterThan(tunnelsBefore);

    proxy.cut('reset');
    await heard(consoleInbox, identity.agentId, false);
    await until(() => !link.online, 'the link to go offline');
    const tunnelsWhileCut = proxy.tunnels;

    proxy.restore();
    await until(() => link.online, 'the link to come back online');
    expect(await listedOnline(t, identity.agentId)).toBe(true);
    expect(proxy.tunnels).toBeGreaterThan(tunnelsWhileCut);
  });
});
