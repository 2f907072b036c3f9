import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { startStack, type Stack } from '../stack.ts';
import {
  openConsent,
  requestSession,
  signIn,
  startApprovedSession,
  terminalText,
} from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

test('a wrong password is refused in words and the user name is kept', async ({ page }) => {
  stack = await startStack();
  await page.goto(stack.consoleUrl);
  await page.getByLabel('User name').fill('demo-tech');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page.getByRole('alert')).toContainText('Wrong user name or password');
  await expect(page.getByLabel('User name')).toHaveValue('demo-tech');
});

test('technician sees live device logs after facility approval', async ({ page, context }) => {
  stack = await startStack();
  writeFileSync(join(stack.dropboxDir, 'infusion-pump.log'), 'INFO pump self-test passed\n');
  await signIn(page, stack);

  await expect(page.getByText('Online').first()).toBeVisible();
  await page.getByText('Demo Facility service computer').first().click();
  await expect(page.getByText('CVSM 6400').first()).toBeVisible();
  await requestSession(page);

  const consent = await openConsent(context, stack);
  await expect(consent.getByText('Demo Technician')).toBeVisible();
  await expect(consent.getByText('Tether Device Service')).toBeVisible();
  await expect(consent.getByText(/Automatically denied in/)).toBeVisible();
  await consent.getByRole('button', { name: 'Approve' }).click();

  const logs = page.getByRole('log', { name: 'Device logs' });
  await expect(logs).toBeVisible();
  await expect
    .poll(() => terminalText(page), { timeout: 20_000 })
    .toMatch(/CVSM 6400|Spot 4400|ProBP 3400/);
  // The terminal shows a screenful; narrowing to the dropped file keeps its lines in view.
  await page.getByLabel('Device', { exact: true }).selectOption({ label: 'infusion-pump.log' });
  await expect.poll(() => terminalText(page)).toContain('pump self-test passed');

  appendFileSync(
    join(stack.dropboxDir, 'infusion-pump.log'),
    'ERROR E-4410 occlusion sensor fault\n',
  );
  await expect.poll(() => terminalText(page)).toContain('occlusion sensor fault');

  // Patient identity in a device's log never reaches the technician.
  appendFileSync(
    join(stack.dropboxDir, 'infusion-pump.log'),
    'WARN E-4411 bolus stopped for patient Jane Doe, MRN 00123987\n',
  );
  await expect.poll(() => terminalText(page)).toContain('bolus stopped for patient [NAME]');
  const shown = await terminalText(page);
  expect(shown).not.toContain('Jane Doe');
  expect(shown).not.toContain('00123987');

  await expect(consent.getByRole('button', { name: 'End session' })).toBeVisible();
  const audit = await stack.server.admin.listAudit();
  const moves = audit
    .filter((r) => r.action === 'session.transition')
    .map((r) => (r.detail as { to: string }).to);
  expect(moves).toEqual(['awaiting_consent', 'approved', 'connecting', 'active']);
});

test('facility staff deny the request', async ({ page, context }) => {
  stack = await startStack();
  await signIn(page, stack);
  await requestSession(page);

  const consent = await openConsent(context, stack);
  await consent.getByRole('button', { name: 'Deny' }).click();

  await expect(page.getByText('The facility denied the request.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'End session' })).toHaveCount(0);
});

test('an unanswered request is denied when the consent time runs out', async ({ page }) => {
  stack = await startStack({ policy: { consentTimeoutSeconds: 3 } });
  await signIn(page, stack);
  await requestSession(page);

  await expect(page.getByText('Nobody at the facility answered the request in time.')).toBeVisible({
    timeout: 15_000,
  });
});

test('facility staff end an active session at once', async ({ page, context }) => {
  stack = await startStack();
  const consent = await startApprovedSession(page, context, stack);

  await consent.getByRole('button', { name: 'End session' }).click();

  await expect(page.getByText('The facility ended the session.')).toBeVisible();
  await expect(consent.getByRole('button', { name: 'End session' })).toHaveCount(0);
});

test('the technician is told when the agent goes offline mid-session', async ({
  page,
  context,
}) => {
  // A running session waits this long for the agent to come back before it ends.
  stack = await startStack({ reconnectGraceMs: 3_000 });
  const consent = await startApprovedSession(page, context, stack);

  await stack.agent.stop('SIGKILL');

  await expect(page.getByText('The facility agent went offline.')).toBeVisible();
  await expect(page.getByText('Offline').first()).toBeVisible();
  await expect(consent.getByRole('alert')).toContainText('lost its connection to the Tether agent');
});

test('the technician ends the session', async ({ page, context }) => {
  stack = await startStack();
  const consent = await startApprovedSession(page, context, stack);

  await page.getByRole('button', { name: 'End session' }).click();

  await expect(page.getByText('The technician ended the session.')).toBeVisible();
  await expect(consent.getByRole('button', { name: 'End session' })).toHaveCount(0);
});
