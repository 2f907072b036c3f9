import { expect, test, type Page } from '@playwright/test';
import { DEMO_ADMIN, DEMO_AGENT_NAME } from '../../scripts/demo.ts';
import { wrongTotpCode } from '../../signaling/testing/totp-codes.ts';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startStack, type Stack } from '../stack.ts';
import { setUpTwoFactor, signInAs } from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

/** The password step, leaving the page wherever the server sends it next. */
async function passwordStep(page: Page, username: string, password = stack.password) {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function codeStep(page: Page, code: string): Promise<void> {
  await page.getByLabel('Authentication code').fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByLabel('User name')).toBeVisible();
}

/** What the console itself gets from an API route with its own cookie. */
async function fetchFromConsole(page: Page, path: string) {
  return page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    return { status: res.status, body: (await res.json()) as { message?: string } };
  }, path);
}

test('an administrator sets up two-factor sign-in first; wrong codes and spent recovery codes are refused', async ({
  page,
}) => {
  stack = await startStack();
  await passwordStep(page, DEMO_ADMIN.username);
  await expect(page.getByRole('heading', { name: 'Set up two-factor sign-in' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Console areas' })).toHaveCount(0);
  const refused = await fetchFromConsole(page, '/api/fleet');
  expect(refused).toMatchObject({ status: 403, body: { message: /Set up two-factor/ } });

  const { secret, recoveryCodes } = await setUpTwoFactor(page, stack, DEMO_ADMIN.username);
  expect(recoveryCodes).toHaveLength(10);
  expect(new Set(recoveryCodes).size).toBe(10);
  await expect(page.getByRole('button', { name: 'Continue' })).toBeDisabled();
  await page.getByLabel('I have stored these codes somewhere safe').check();
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('button', { name: 'Administration' })).toBeVisible();
  await signOut(page);

  await passwordStep(page, DEMO_ADMIN.username);
  await codeStep(page, wrongTotpCode(secret));
  await expect(page.getByTestId(TEST_IDS.signInError)).toHaveText(
    'That code is not right. Type the 6-digit code your authenticator app shows now, or one of your recovery codes.',
  );
  await expect(page.getByRole('navigation', { name: 'Console areas' })).toHaveCount(0);

  const recovery = recoveryCodes[0] ?? '';
  await codeStep(page, recovery);
  await expect(page.getByRole('navigation', { name: 'Console areas' })).toBeVisible();
  await signOut(page);

  await passwordStep(page, DEMO_ADMIN.username);
  await codeStep(page, recovery);
  await expect(page.getByTestId(TEST_IDS.signInError)).toContainText('That code is not right.');
  await signInAs(page, stack, DEMO_ADMIN.username);
  await expect(page.getByRole('button', { name: 'Administration' })).toBeVisible();
});

test('an administrator creates a technician, disables them and revokes the agent', async ({
  page,
  browser,
}) => {
  stack = await startStack();
  await signInAs(page, stack, DEMO_ADMIN.username);
  await page.getByRole('button', { name: 'Administration' }).click();
  await page.getByLabel('User name').fill('nora');
  await page.getByLabel('Full name').fill('Nora Field');
  await page.getByLabel('Role').selectOption('technician');
  await page.getByRole('button', { name: 'Create account' }).click();
  const password = (await page.getByTestId(TEST_IDS.adminNewPassword).innerText()).trim();
  const nora = page.getByTestId(TEST_IDS.adminAccountRow).filter({ hasText: 'nora' });
  await expect(nora).toContainText('Technician');

  // The technician signs in with the first password, in a browser of their own.
  const techContext = await browser.newContext();
  const tech = await techContext.newPage();
  await passwordStep(tech, 'nora', password);
  await expect(tech.getByRole('button', { name: 'Remote support' })).toBeVisible();
  await expect(tech.getByText(DEMO_AGENT_NAME).first()).toBeVisible();
  await expect(tech.getByRole('button', { name: 'Administration' })).toHaveCount(0);
  const adminApi = await fetchFromConsole(tech, '/api/admin/users');
  expect(adminApi).toEqual({
    status: 403,
    body: {
      code: 'forbidden',
      message:
        'You are signed in as a technician; only administrators may use the Administration area.',
    },
  });

  await page.getByRole('button', { name: 'Disable nora' }).click();
  await expect(nora).toContainText('Disabled');
  await expect(tech.getByText('You were signed out. Sign in again to continue.')).toBeVisible();
  await passwordStep(tech, 'nora', password);
  await expect(tech.getByTestId(TEST_IDS.signInError)).toHaveText(
    'This account is disabled. Ask an administrator to enable it.',
  );
  await techContext.close();

  const agentRow = page.getByTestId(TEST_IDS.adminAgentRow).filter({ hasText: DEMO_AGENT_NAME });
  await expect(agentRow).toContainText('Online');
  await page.getByRole('button', { name: `Revoke ${DEMO_AGENT_NAME}` }).click();
  await page.getByRole('button', { name: 'Revoke now' }).click();
  await expect(agentRow).toContainText('Revoked');
  await expect(page.getByText(`${DEMO_AGENT_NAME} is revoked and was disconnected.`)).toBeVisible();

  // The fleet no longer lists it, and its key is refused when it tries to come back.
  await page.getByRole('button', { name: 'Remote support' }).click();
  await expect(page.getByText('No facility agents yet.')).toBeVisible();
  await expect
    .poll(() => stack.agentLog.some((line) => line.includes('proof_invalid')), { timeout: 20_000 })
    .toBe(true);
  const agents = await fetchFromConsole(page, '/api/admin/agents');
  expect(agents.body).toMatchObject({ agents: [{ name: DEMO_AGENT_NAME, online: false }] });
});
