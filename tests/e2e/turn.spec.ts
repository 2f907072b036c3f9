import { appendFileSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import type { SignalData } from '../../shared/protocol/signal.ts';
import { TEST_IDS } from '../../web/test-ids.ts';
import { CHROMIUM_ARGS, chromiumExecutable } from '../chromium.ts';
import { findTurnserver, startCoturn, type Coturn } from '../coturn.ts';
import { startStack, type Stack } from '../stack.ts';
import { startApprovedSession, terminalText } from './steps.ts';

test.skip(
  findTurnserver() === null,
  'coturn is not installed (turnserver not found); install the coturn package to run these',
);
test.setTimeout(60_000);

let coturn: Coturn | undefined;
let stack: Stack | undefined;

test.beforeEach(async () => {
  coturn = await startCoturn();
});

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    if (stack) await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
    if (coturn) await testInfo.attach('coturn log', { body: coturn.log.join('\n') });
  }
  await stack?.stop();
  await coturn?.stop();
  stack = undefined;
  coturn = undefined;
});

/** Logs reach the console over the session's path, and the header names that path. */
async function expectLogsOver(page: Page, s: Stack, path: string): Promise<void> {
  const file = join(s.dropboxDir, 'infusion-pump.log');
  appendFileSync(file, 'ERROR E-4410 occlusion sensor fault\n');
  await page.getByLabel('Device', { exact: true }).selectOption({ label: 'infusion-pump.log' });
  await expect.poll(() => terminalText(page)).toContain('occlusion sensor fault');

  await expect(page.getByTestId(TEST_IDS.connectionPath)).toHaveText(path);
}

test('direct: with LAN candidates allowed the session runs straight to the agent', async ({
  page,
  context,
}) => {
  const turn = coturn!;
  // TURN is offered, but the agent's host candidates (policy 'lan', the stack's default)
  // give a direct path, which ICE prefers.
  stack = await startStack({ turn: { urls: [turn.udpUrl], secret: turn.secret } });
  writeFileSync(join(stack.dropboxDir, 'infusion-pump.log'), 'INFO pump self-test passed\n');

  await startApprovedSession(page, context, stack);

  await expectLogsOver(page, stack, 'Direct UDP');
});

test('relay forced over TURN TCP: the session connects and shows TURN TCP', async ({
  page,
  context,
}) => {
  const turn = coturn!;
  stack = await startStack({
    turn: { urls: [turn.tcpUrl], secret: turn.secret },
    iceTransportPolicy: 'relay',
  });
  writeFileSync(join(stack.dropboxDir, 'infusion-pump.log'), 'INFO pump self-test passed\n');

  await startApprovedSession(page, context, stack);

  await expectLogsOver(page, stack, 'TURN TCP');
});

test('relay forced over TURN TLS: the session connects and shows TURN TLS', async () => {
  const turn = coturn!;
  // The browser reaches TURN over TLS. The agent's WebRTC library checks the certificate
  // against its own built-in roots, which a test certificate cannot join, so the agent
  // reaches the same coturn over TCP: the route TETHER_TURN_AGENT_URLS exists for.
  stack = await startStack({
    turn: { urls: [turn.tlsUrl], agentUrls: [turn.tcpUrl], secret: turn.secret },
    iceTransportPolicy: 'relay',
  });
  writeFileSync(join(stack.dropboxDir, 'infusion-pump.log'), 'INFO pump self-test passed\n');
  // Chromium checks the TURN server's certificate; this one is self-signed for the test.
  const browser = await chromium.launch({
    executablePath: chromiumExecutable(),
    args: [...CHROMIUM_ARGS, `--ignore-certificate-errors-spki-list=${turn.spkiHash}`],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
    const page = await context.newPage();

    await startApprovedSession(page, context, stack);

    await expectLogsOver(page, stack, 'TURN TLS');
  } finally {
    await browser.close();
  }
});

test("with the agent's default policy no internal address reaches the browser", async ({
  page,
  context,
}) => {
  const turn = coturn!;
  // An empty network section: the agent's own default, hostCandidates 'none'.
  stack = await startStack({
    turn: { urls: [turn.udpUrl], secret: turn.secret },
    policy: { network: {} },
  });
  writeFileSync(join(stack.dropboxDir, 'infusion-pump.log'), 'INFO pump self-test passed\n');
  const received: SignalData[] = [];
  page.on('websocket', (socket) =>
    socket.on('framereceived', ({ payload }) => {
      const signal = signalIn(String(payload));
      if (signal) received.push(signal);
    }),
  );

  await startApprovedSession(page, context, stack);
  await expectLogsOver(page, stack, 'TURN UDP');

  const candidates = received.flatMap((d) =>
    d.type === 'candidate' ? [d.candidate.candidate] : [],
  );
  const sdps = received.flatMap((d) => ('sdp' in d && d.sdp ? [d.sdp] : []));
  expect(sdps.length).toBeGreaterThan(0);
  expect(candidates.some((c) => c.includes(' typ relay '))).toBe(true);
  expect(candidates.filter((c) => c.includes(' typ host '))).toEqual([]);

  // The test's TURN server listens on loopback, so a relay candidate's own address is
  // 127.0.0.1: that is the server's address and is set aside. Every other word of every
  // signal is checked against each address of this machine, the agent's included.
  const words = [...candidates, ...sdps]
    .flatMap((text) => text.split(/\r?\n/))
    .flatMap((line) => {
      const fields = line.split(' ');
      if (line.includes(' typ relay ')) fields.splice(4, 1);
      return fields;
    });
  const own = ownAddresses();
  expect(own).toContain('127.0.0.1');
  expect(own.filter((address) => words.includes(address))).toEqual([]);
  expect(words.filter((word) => /^(10|127|192\.168|172\.(1[6-9]|2\d|3[01]))\./.test(word))).toEqual(
    [],
  );
});

/** Every address of this machine's interfaces, loopback included. */
function ownAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((entry) => entry.address.replace(/%.*$/, ''));
}

/** The signal data in one socket.io frame the console received, if it carries one. */
function signalIn(frame: string): SignalData | null {
  const start = frame.indexOf('[');
  if (!frame.startsWith('42') || start < 0) return null;

  const [, message] = JSON.parse(frame.slice(start)) as [
    string,
    { type?: string; data?: SignalData },
  ];
  return message?.type === 'signal' && message.data ? message.data : null;
}
