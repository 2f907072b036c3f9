import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEMO_AGENT_NAME } from '../../scripts/demo.ts';
import { startAgentProcess } from '../../scripts/agent-process.ts';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startStack, type Stack } from '../stack.ts';
import { openConsent, signIn, startApprovedSession, terminalText } from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

const AGENT = 'Demo Facility service computer';

/** Selects the demo agent and asks for a session, with a one-time code when given one. */
async function ask(page: Page, code?: string): Promise<void> {
  await page.getByText(AGENT).first().click();
  if (code !== undefined) await page.getByLabel('One-time code from the facility').fill(code);
  await page.getByRole('button', { name: 'Request session' }).click();
}

/** The session panel ends with the facility's refusal and `words` as its reason. */
async function expectRefused(page: Page, words: string): Promise<void> {
  const panel = page.getByTestId(TEST_IDS.sessionPanel);
  await expect(panel.getByTestId(TEST_IDS.sessionEndReason)).toHaveText(
    'The facility denied the request.',
  );
  await expect(panel).toContainText(words);
}

/** From an ended session back to the request form. */
async function newRequest(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New request' }).click();
  await expect(page.getByRole('button', { name: 'Request session' })).toBeVisible();
}

test('a one-time code starts a session without a prompt, once', async ({ page, context }) => {
  stack = await startStack();
  await signIn(page, stack);
  const consent = await openConsent(context, stack);

  await consent.getByRole('button', { name: 'Create one-time code' }).click();
  await expect(consent.getByLabel('Read device event and error logs')).toBeChecked();
  await expect(consent.getByLabel('Control the service computer')).not.toBeChecked();
  await consent.getByRole('button', { name: 'Create code' }).click();
  const shown = consent.getByTestId(TEST_IDS.consentCode);
  await expect(shown).toHaveText(/^\s*\d{3} \d{3} \d{3}\s*$/);
  await expect(consent.getByTestId(TEST_IDS.consentCodeCard)).toContainText(/Valid for 9:5\d/);
  const grouped = (await shown.innerText()).trim();

  // The technician types the code as staff read it out, with its spaces.
  await ask(page, grouped);
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).not.toBe('');
  await expect(consent.getByTestId(TEST_IDS.consentEmpty)).toBeVisible();
  await expect(consent.getByTestId(TEST_IDS.consentViaCode)).toHaveText(
    'Started with a one-time code',
  );
  await expect(consent.getByRole('button', { name: 'Create one-time code' })).toBeVisible();
  await expect(shown).toHaveCount(0);

  await page.getByRole('button', { name: 'End session' }).click();
  await expect(page.getByText('The technician ended the session.')).toBeVisible();
  await newRequest(page);
  await ask(page, grouped.replaceAll(' ', ''));
  await expectRefused(page, 'This one-time code was already used.');

  const audit = await stack.server.admin.listAudit();
  const requested = audit.filter((r) => r.action === 'session.requested').map((r) => r.detail);
  expect(requested).toEqual([
    expect.objectContaining({ oneTimeCode: true }),
    expect.objectContaining({ oneTimeCode: true }),
  ]);
  expect(JSON.stringify(audit)).not.toContain(grouped.replaceAll(' ', ''));
});

test('wrong codes are refused in words and then slowed down', async ({ page, context }) => {
  stack = await startStack();
  await signIn(page, stack);

  await ask(page, '12345');
  await expect(page.getByRole('alert')).toHaveText(
    'A one-time code has 9 digits, such as 123 456 789.',
  );

  // No code is live, so every code is wrong.
  for (let attempt = 1; attempt <= 3; attempt++) {
    await ask(page, '000 000 001');
    await expectRefused(page, 'The one-time code is not valid.');
    await newRequest(page);
  }
  await ask(page, '000 000 002');
  await expectRefused(page, 'Try again in 8 seconds.');

  const consent = await openConsent(context, stack);
  await expect(consent.getByTestId(TEST_IDS.consentCodeCard)).toContainText(
    'Wrong codes were entered. The agent refuses every code until',
  );
});

test('a request beyond the facility policy is refused with the reason', async ({
  page,
  context,
}) => {
  stack = await startStack({ policy: { allowedCapabilities: ['logs.read', 'screen.view'] } });
  await signIn(page, stack);

  await page.getByText(AGENT).first().click();
  await page.getByLabel('Control the service computer').check();
  await ask(page);
  await expectRefused(page, 'This facility does not allow remote control.');

  const consent = await openConsent(context, stack);
  await expect(consent.getByTestId(TEST_IDS.consentEmpty)).toBeVisible();
  await expect(consent.getByTestId(TEST_IDS.consentRecent).first()).toContainText(
    'This facility does not allow remote control.',
  );
  const moves = (await stack.server.admin.listAudit())
    .filter((r) => r.action === 'session.transition')
    .map((r) => r.detail);
  expect(moves.at(-1)).toMatchObject({
    to: 'ended',
    reason: 'denied',
    detail: 'This facility does not allow remote control.',
  });
});

test('Remote access off ends a running session and refuses requests until it is on again', async ({
  page,
  context,
}) => {
  stack = await startStack();
  const consent = await startApprovedSession(page, context, stack);
  const remoteAccess = consent.getByRole('switch', { name: 'Remote access' });
  await expect(remoteAccess).toHaveAttribute('aria-checked', 'true');

  await remoteAccess.click();

  await expect(remoteAccess).toHaveAttribute('aria-checked', 'false');
  await expect(consent.getByTestId(TEST_IDS.consentRemoteAccessOff)).toBeVisible();
  await expect(page.getByText('The facility ended the session.')).toBeVisible();
  await expect(page.getByTestId(TEST_IDS.sessionPanel)).toContainText(
    'Staff switched remote access off at the facility.',
  );
  await expect(consent.getByRole('button', { name: 'End session' })).toHaveCount(0);
  await expect(consent.getByRole('button', { name: 'Create one-time code' })).toBeDisabled();

  await newRequest(page);
  await expect(page.getByTestId(TEST_IDS.agentRemoteAccess)).toHaveText('Remote access off');
  await ask(page);
  await expectRefused(page, 'Remote access is switched off at the facility.');

  await remoteAccess.click();
  await expect(remoteAccess).toHaveAttribute('aria-checked', 'true');
  await newRequest(page);
  await expect(page.getByTestId(TEST_IDS.agentRemoteAccess)).toHaveCount(0);
  await ask(page);
  await consent.getByRole('button', { name: 'Approve' }).click();
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).not.toBe('');

  const switches = (await stack.server.admin.listAudit())
    .filter((r) => r.action === 'agent.remote_access')
    .map((r) => r.detail);
  expect(switches).toEqual([{ remoteAccess: 'off' }, { remoteAccess: 'on' }]);
});

test('Remote access off holds across a restart of the agent', async ({ page, context }) => {
  stack = await startStack();
  const consent = await openConsent(context, stack);
  await consent.getByRole('switch', { name: 'Remote access' }).click();
  await expect(consent.getByTestId(TEST_IDS.consentRemoteAccessOff)).toBeVisible();
  await stack.agent.stop();

  const agentDir = join(stack.dataDir, 'agent');
  const again = startAgentProcess({
    serverUrl: stack.consoleUrl,
    dataDir: agentDir,
    dropboxDir: stack.dropboxDir,
    consentPort: 0,
    name: DEMO_AGENT_NAME,
    policyPath: join(agentDir, 'policy.json'),
    onLog: (record) => stack.agentLog.push(JSON.stringify(record)),
    // The same build of the consent page as the stack's own agent serves.
    env: process.env.TETHER_DIST ? { TETHER_STATIC_DIR: resolve(process.env.TETHER_DIST) } : {},
  });
  try {
    const restarted = await context.newPage();
    await restarted.goto(await again.consentUrl);
    await expect(restarted.getByRole('switch', { name: 'Remote access' })).toHaveAttribute(
      'aria-checked',
      'false',
    );

    await signIn(page, stack);
    await expect(page.getByTestId(TEST_IDS.agentRemoteAccess)).toHaveText('Remote access off');
    await ask(page);
    await expectRefused(page, 'Remote access is switched off at the facility.');
  } finally {
    await again.stop();
  }
});
