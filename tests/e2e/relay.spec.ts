import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startConnectProxy, type ConnectProxy } from '../connect-proxy.ts';
import { startStack, type Stack, type StackOptions } from '../stack.ts';
import { openConsent, requestSession, signIn, terminalText } from './steps.ts';

/**
 * The last rung and the drops. The agent keeps its default network policy (no host
 * candidates) and the server hands out a TURN server nobody listens on: no WebRTC path
 * can come up, so every session here runs on the end-to-end encrypted relay through the
 * signaling server. The agent reaches the server only through an HTTP proxy the test can
 * cut, so cutting it takes the agent off the network entirely.
 */

let stack: Stack | undefined;
let proxy: ConnectProxy | undefined;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
  await proxy?.close();
  stack = undefined;
  proxy = undefined;
});

/** A stack whose sessions can only use the relay, with the agent behind a cuttable proxy. */
async function startRelayStack(options: StackOptions = {}): Promise<Stack> {
  proxy = await startConnectProxy();
  return startStack({
    policy: { network: { hostCandidates: 'none' } },
    // Port 9 (discard) on loopback: nothing answers, so no TURN allocation succeeds.
    turn: { urls: ['turn:127.0.0.1:9?transport=tcp'], secret: 'nobody-listens-on-this-turn' },
    transport: { relayAfterMs: 2_000 },
    agentEnv: { HTTP_PROXY: proxy.url, NO_PROXY: '' },
    ...options,
  });
}

/** Requests a session, approves it and narrows the log view to the dropped file. */
async function approveAndFollowFile(page: Page, s: Stack, file: string): Promise<Page> {
  appendFileSync(file, 'INFO pump self-test passed\n');
  await signIn(page, s);
  await requestSession(page);
  const consent = await openConsent(page.context(), s);
  await consent.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId(TEST_IDS.connectionPath)).toHaveText('Encrypted relay', {
    timeout: 20_000,
  });
  await page.getByLabel('Device', { exact: true }).selectOption({ label: 'infusion-pump.log' });
  await expect.poll(() => terminalText(page)).toContain('pump self-test passed');
  return consent;
}

test('with no WebRTC path the session runs on the encrypted relay, screen included, and the server sees no plaintext', async ({
  page,
}) => {
  test.setTimeout(90_000);
  const frames: Uint8Array[] = [];
  stack = await startRelayStack({
    desktop: true,
    relayTap: ({ bytes }) => frames.push(Uint8Array.from(bytes)),
  });
  const file = join(stack.dropboxDir, 'infusion-pump.log');
  await approveAndFollowFile(page, stack, file);
  expect(proxy!.tunnels).toBeGreaterThan(0);

  const marker = 'E-7781 occlusion sensor drift relay-check-5f1c';
  appendFileSync(file, `ERROR ${marker}\n`);
  await expect.poll(() => terminalText(page)).toContain(marker);

  await page.getByRole('tab', { name: 'Screen' }).click();
  const screen = page.getByRole('region', { name: 'Remote screen' });
  const framesShown = async () => Number((await screen.getAttribute('data-frames')) ?? 0);
  // A still screen sends a picture a second; the service tool's clock keeps it moving.
  await expect.poll(framesShown, { timeout: 20_000 }).toBeGreaterThan(2);
  const seen = await framesShown();
  await expect.poll(framesShown).toBeGreaterThan(seen + 2);

  // What the server forwarded: many frames, and none of the session's words in them.
  const forwarded = Buffer.concat(frames.map((frame) => Buffer.from(frame)));
  expect(frames.length).toBeGreaterThan(20);
  for (const plaintext of [marker, 'relay-check', '"logs.lines"', 'Demo Facility', 'hello']) {
    expect(forwarded.includes(Buffer.from(plaintext)), plaintext).toBe(false);
  }
  // JPEG pictures start with FF D8 FF; an encrypted frame shows none of them in clear.
  expect(forwarded.includes(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(false);
});

test('the agent cut off for 20 seconds comes back into the same session with every log line', async ({
  page,
}) => {
  test.setTimeout(150_000);
  stack = await startRelayStack();
  const file = join(stack.dropboxDir, 'infusion-pump.log');
  const consent = await approveAndFollowFile(page, stack, file);
  const state = page.getByTestId(TEST_IDS.sessionState);

  await proxy!.cut('reset');
  await expect(state).toContainText('Reconnecting', { timeout: 20_000 });
  // Written at the facility while the agent is off the network.
  const lines = Array.from({ length: 12 }, (_, i) => `cut-line-${String(i).padStart(2, '0')}`);
  for (const line of lines) {
    appendFileSync(file, `WARN W-1200 ${line}\n`);
    await page.waitForTimeout(1_500);
  }
  await page.waitForTimeout(2_000);
  proxy!.restore();

  await expect(state).toContainText('Connected', { timeout: 60_000 });
  await expect(page.getByTestId(TEST_IDS.connectionPath)).toHaveText('Encrypted relay');
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).toContain(lines.at(-1)!);
  const text = await terminalText(page);
  for (const line of lines) expect(text).toContain(line);
  // Each line once: nothing resent twice.
  expect(text.split('cut-line-03').length - 1).toBe(1);
  // The same session: no new consent was asked for, and it is still running.
  await expect(consent.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'End session' })).toBeVisible();
});

test('a drop longer than the grace ends the session as agent offline, in words on both sides', async ({
  page,
}) => {
  test.setTimeout(90_000);
  stack = await startRelayStack({ reconnectGraceMs: 4_000 });
  const file = join(stack.dropboxDir, 'infusion-pump.log');
  const consent = await approveAndFollowFile(page, stack, file);

  await proxy!.cut('blackhole');
  await expect(page.getByTestId(TEST_IDS.sessionEndReason)).toContainText(
    'The facility agent went offline.',
    { timeout: 40_000 },
  );
  // The agent ends it on its own too, a little after the server's grace.
  await expect(consent.getByTestId(TEST_IDS.consentRecent).first()).toContainText('went offline', {
    timeout: 30_000,
  });
  proxy!.restore();
});

test('a WebRTC path that breaks is rebuilt in the same session, with no new consent', async ({
  page,
}) => {
  test.setTimeout(90_000);
  // Direct on loopback: the agent may offer its host candidates here.
  stack = await startStack();
  await page.addInitScript(() => {
    const made: RTCPeerConnection[] = [];
    (window as unknown as { peers: RTCPeerConnection[] }).peers = made;
    const Native = window.RTCPeerConnection;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  });
  const file = join(stack.dropboxDir, 'infusion-pump.log');
  appendFileSync(file, 'INFO pump self-test passed\n');
  await signIn(page, stack);
  await requestSession(page);
  const consent = await openConsent(page.context(), stack);
  await consent.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByTestId(TEST_IDS.connectionPath)).toHaveText('Direct UDP');
  await page.getByLabel('Device', { exact: true }).selectOption({ label: 'infusion-pump.log' });
  await expect.poll(() => terminalText(page)).toContain('pump self-test passed');

  // The console's path breaks under it, as a network change would break it.
  await page.evaluate(() =>
    (window as unknown as { peers: RTCPeerConnection[] }).peers[0]!.close(),
  );
  appendFileSync(file, 'WARN W-1201 written while the path was down\n');

  await expect
    .poll(() => page.evaluate(() => (window as unknown as { peers: unknown[] }).peers.length))
    .toBeGreaterThan(1);
  await expect(page.getByTestId(TEST_IDS.sessionState)).toContainText('Connected');
  await expect(page.getByTestId(TEST_IDS.connectionPath)).toHaveText('Direct UDP');
  await expect.poll(() => terminalText(page)).toContain('written while the path was down');
  appendFileSync(file, 'INFO pump back on the new path\n');
  await expect.poll(() => terminalText(page)).toContain('pump back on the new path');
  await expect(consent.getByRole('button', { name: 'Approve' })).toHaveCount(0);
});
