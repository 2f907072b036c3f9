import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startStack, type Stack } from '../stack.ts';
import { openConsent, requestSession, signIn, terminalText } from './steps.ts';

let stack: Stack | undefined;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
  stack = undefined;
});

/** Changes one hex digit of every DTLS fingerprint in a socket.io text frame. */
function alterFingerprints(frame: string): string {
  return frame.replace(/(a=fingerprint:\S+ )([0-9A-F])/g, (_, head: string, digit: string) => {
    return head + (digit === 'A' ? 'B' : 'A');
  });
}

test('a session description altered between server and browser is refused; the relay, signed too, carries the session', async ({
  page,
}) => {
  test.setTimeout(60_000);
  stack = await startStack();
  let altered = 0;
  // Everything the browser hears from the server passes through here, as it would
  // through a signaling server in someone else's hands.
  await page.routeWebSocket(/\/socket\.io\//, (browserSide) => {
    const serverSide = browserSide.connectToServer();
    browserSide.onMessage((message) => serverSide.send(message));
    serverSide.onMessage((message) => {
      if (typeof message === 'string' && message.includes('a=fingerprint:')) {
        altered += 1;
        browserSide.send(alterFingerprints(message));
      } else {
        browserSide.send(message);
      }
    });
  });

  const file = join(stack.dropboxDir, 'infusion-pump.log');
  appendFileSync(file, 'INFO pump self-test passed\n');
  await signIn(page, stack);
  await requestSession(page);
  const consent = await openConsent(page.context(), stack);
  await consent.getByRole('button', { name: 'Approve' }).click();

  await expect(page.getByRole('alert')).toContainText(
    "were not signed by the facility agent's enrolled key",
  );
  expect(altered).toBeGreaterThan(0);
  await expect(page.getByTestId(TEST_IDS.connectionPath)).toHaveText('Encrypted relay', {
    timeout: 20_000,
  });
  await page.getByLabel('Device', { exact: true }).selectOption({ label: 'infusion-pump.log' });
  await expect.poll(() => terminalText(page)).toContain('pump self-test passed');
});
