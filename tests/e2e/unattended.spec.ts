import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startStack, type Stack } from '../stack.ts';
import { openConsent, signIn, terminalText } from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

const AGENT = 'Demo Facility service computer';
const ACCESS_PASSWORD = 'night shift maintenance 7';
const REPO = resolve(import.meta.dirname, '../..');

/** Unattended access for the demo technician, logs only, with `extra` settings over it. */
function unattendedPolicy(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access: { unattended: { enabled: true, technicians: ['demo-tech'], ...extra } },
  };
}

/** Facility IT sets the access password with the agent's own command, as in the README. */
function setAccessPassword(password: string): string {
  const agentDir = join(stack.dataDir, 'agent');
  const run = spawnSync('npm', ['run', '--silent', 'agent', '--', 'access-password'], {
    cwd: REPO,
    input: `${password}\n`,
    env: { ...process.env, TETHER_AGENT_DATA_DIR: agentDir },
    encoding: 'utf8',
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const verifier = readFileSync(join(agentDir, 'access-password.json'), 'utf8');
  expect(verifier).not.toContain(password);
  return run.stdout;
}

/** Asks the demo agent for unattended access to its logs with `password`. */
async function askUnattended(page: Page, password: string): Promise<void> {
  await page.getByText(AGENT).first().click();
  await page.getByLabel('View the service computer screen').uncheck();
  await page.getByText('Unattended access', { exact: true }).click();
  await page.getByLabel('Access password').fill(password);
  await page.getByRole('button', { name: 'Start unattended session' }).click();
}

/** The session panel ends with the facility's refusal and `words` as its reason. */
async function expectRefused(page: Page, words: string | RegExp): Promise<void> {
  const panel = page.getByTestId(TEST_IDS.sessionPanel);
  await expect(panel.getByTestId(TEST_IDS.sessionEndReason)).toHaveText(
    'The facility denied the request.',
  );
  await expect(panel).toContainText(words);
}

async function newRequest(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'New request' }).click();
  await expect(page.getByRole('button', { name: 'Request session' })).toBeVisible();
}

test('an unattended session starts with the access password, and a wrong one is refused', async ({
  page,
  context,
}) => {
  stack = await startStack({ policy: unattendedPolicy() });
  const said = setAccessPassword(ACCESS_PASSWORD);
  expect(said).toContain('The access password is set.');
  await signIn(page, stack);

  await askUnattended(page, 'not the access password');
  await expectRefused(page, 'The access password is wrong.');
  await newRequest(page);

  await askUnattended(page, ACCESS_PASSWORD);
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).not.toBe('');
  const consent = await openConsent(context, stack);
  // Nobody was asked: nothing waits on the consent page, and staff can still end it.
  await expect(consent.getByTestId(TEST_IDS.consentEmpty)).toBeVisible();
  await expect(consent.getByRole('button', { name: 'End session' })).toBeVisible();
  await expect(consent.getByTestId(TEST_IDS.consentUnattended)).toContainText('Unattended');

  const audit = await stack.server.admin.listAudit();
  const requested = audit.filter((r) => r.action === 'session.requested').map((r) => r.detail);
  expect(requested).toEqual([
    expect.objectContaining({ unattended: true }),
    expect.objectContaining({ unattended: true }),
  ]);
  const moves = audit.filter((r) => r.action === 'session.transition').map((r) => r.detail);
  expect(moves).toContainEqual(
    expect.objectContaining({ to: 'ended', detail: 'The access password is wrong.' }),
  );
  expect(moves).toContainEqual(
    expect.objectContaining({
      to: 'approved',
      detail: 'Approved unattended with the access password set at the facility.',
    }),
  );
  expect(JSON.stringify(audit)).not.toContain(ACCESS_PASSWORD);
});

test('outside its maintenance window unattended access is refused and nothing changes', async ({
  page,
  context,
}) => {
  // A window that opens two hours from now (UTC), every day: so it is closed now.
  const now = new Date();
  const opens = new Date(now.getTime() + 2 * 60 * 60_000);
  const closes = new Date(now.getTime() + 3 * 60 * 60_000);
  const clock = (d: Date) => d.toISOString().slice(11, 16);
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  stack = await startStack({
    policy: unattendedPolicy({
      windows: [{ days, from: clock(opens), to: clock(closes) }],
      timeZone: 'UTC',
    }),
  });
  setAccessPassword(ACCESS_PASSWORD);
  await signIn(page, stack);

  await askUnattended(page, ACCESS_PASSWORD);
  await expectRefused(
    page,
    `Unattended access is allowed only within the facility’s maintenance windows. The next one opens on `,
  );
  await expect(page.getByTestId(TEST_IDS.sessionPanel)).toContainText(
    new RegExp(`at ${clock(opens)} \\(UTC time\\), in (1 hour 5\\d minutes|2 hours)\\.`),
  );

  // Nothing changed: no session runs or waits, and the refusal is all staff see of it.
  const consent = await openConsent(context, stack);
  await expect(consent.getByTestId(TEST_IDS.consentEmpty)).toBeVisible();
  await expect(consent.getByRole('button', { name: 'End session' })).toHaveCount(0);
  await expect(consent.getByTestId(TEST_IDS.consentRecent).first()).toContainText(
    'maintenance windows',
  );
  const audit = await stack.server.admin.listAudit();
  expect(audit.filter((r) => r.detail && (r.detail as { to?: string }).to === 'approved')).toEqual(
    [],
  );
});

test('a technician the policy does not name is refused in words', async ({ page }) => {
  stack = await startStack({
    policy: unattendedPolicy({ technicians: ['someone-else'], organisations: ['Other Service'] }),
  });
  setAccessPassword(ACCESS_PASSWORD);
  await signIn(page, stack);
  await askUnattended(page, '');
  await expect(page.getByRole('alert')).toHaveText(
    'Enter the access password that facility IT set on the agent.',
  );

  await page.getByLabel('Access password').fill(ACCESS_PASSWORD);
  await page.getByRole('button', { name: 'Start unattended session' }).click();
  await expectRefused(
    page,
    'This facility does not allow unattended access for Demo Technician (demo-tech) of Tether Device Service.',
  );
});
