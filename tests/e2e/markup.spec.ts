import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startStack, type Stack } from '../stack.ts';
import { openConsent, requestSession, signIn, terminalText } from './steps.ts';

let stack: Stack | undefined;

test.afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

test('markup in a log line and in a log source name is shown as text, never run', async ({
  page,
}) => {
  stack = await startStack();
  const source = '<img src=x onerror="window.__pwned=1">.log';
  appendFileSync(
    join(stack.dropboxDir, source),
    'ERROR E-0001 <script>window.__pwned = 2</script><b>bold?</b>\n',
  );
  await signIn(page, stack);
  await requestSession(page);
  const consent = await openConsent(page.context(), stack);
  await consent.getByRole('button', { name: 'Approve' }).click();

  await page.getByLabel('Device', { exact: true }).selectOption({ label: source });
  // A long line wraps in the terminal; read it as one.
  const shown = async () => (await terminalText(page)).replace(/\n/g, '');
  await expect.poll(shown).toContain('<script>window.__pwned = 2</script><b>bold?</b>');
  expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('img[src="x"]').count()).toBe(0);
});
