import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { DEMO_ADMIN } from '../../scripts/demo.ts';
import { startStack, type Stack } from '../stack.ts';
import { openConsent, signInAs } from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

/** Signs in as the demo administrator and opens Software & licences. */
async function openSoftware(page: Page, username: string = DEMO_ADMIN.username): Promise<void> {
  await signInAs(page, stack, username);
  await page.getByRole('button', { name: 'Software & licences' }).click();
  await expect(page.getByRole('heading', { name: 'Packages' })).toBeVisible();
}

/** Uploads a package through the form's file input and waits for the server's signature. */
async function upload(page: Page, version: string, model: string, bytes: Buffer): Promise<void> {
  await page.getByLabel('Package file').setInputFiles({
    name: `firmware-${version}.bin`,
    mimeType: 'application/octet-stream',
    buffer: bytes,
  });
  await page.getByLabel('Name', { exact: true }).fill('Monitor firmware');
  await page.getByLabel('Version').fill(version);
  await page.getByLabel('Device models (comma-separated)').fill(model);
  await page.getByLabel('Release notes').fill('Improves NIBP accuracy on small cuffs.');
  await page.getByRole('button', { name: 'Upload and sign' }).click();
  await expect(
    page.getByText(`Monitor firmware ${version} was uploaded and signed.`),
  ).toBeVisible();
}

/** Picks the package and sends it to the named devices of the Demo Facility. */
async function deliver(page: Page, version: string, devices: string[]): Promise<void> {
  await page.getByRole('button', { name: `Deliver Monitor firmware ${version}` }).click();
  for (const device of devices) await page.getByRole('checkbox', { name: device }).check();
  await page.getByRole('button', { name: 'Send to facility' }).click();
  await expect(page.getByText(/Sent to 1 facility agent for approval/)).toBeVisible();
}

/** Staff answer Install now on the consent page. */
async function installNow(context: BrowserContext, title: string): Promise<Page> {
  const consent = await openConsent(context, stack);
  const card = consent.getByRole('article', { name: title });
  await expect(card).toContainText('Sent by');
  await card.getByRole('button', { name: 'Install now' }).click();
  return consent;
}

function target(page: Page, device: string) {
  return page.getByTestId('software-target').filter({ hasText: device });
}

test('an admin uploads firmware, staff approve, one device installs and one rolls back', async ({
  page,
  context,
}) => {
  stack = await startStack({ agentEnv: { TETHER_SIMULATE_INSTALL_FAILURE: 'dev-cvsm-icu' } });
  await openSoftware(page);
  await upload(page, '2.60.00', 'CVSM 6400', Buffer.alloc(300 * 1024, 7));
  await expect(page.getByTestId('software-packages')).toContainText('2.60.00');
  await deliver(page, '2.60.00', [
    'Ward 3 vital signs monitor',
    'ICU step-down vital signs monitor',
  ]);
  await expect(target(page, 'Ward 3')).toContainText('Waiting for facility approval');

  const consent = await installNow(context, 'Monitor firmware 2.60.00');

  await expect(target(page, 'Ward 3').getByRole('progressbar').first()).toBeVisible();
  await expect(target(page, 'Ward 3')).toContainText('Installed', { timeout: 30_000 });
  await expect(target(page, 'Ward 3')).toContainText('Now on firmware 2.60.00');
  await expect(target(page, 'ICU step-down')).toContainText('Failed and rolled back', {
    timeout: 30_000,
  });
  await expect(target(page, 'ICU step-down')).toContainText('previous version was restored');
  await expect(target(page, 'ICU step-down')).toContainText('Device firmware now 2.41.07');
  await expect(consent.getByText('Failed and rolled back')).toBeVisible();

  // The device list of Remote support shows the new version as well.
  await page.getByRole('button', { name: 'Remote support' }).click();
  await page.getByText('Demo Facility service computer').first().click();
  await expect(page.getByTestId('device-table')).toContainText('2.60.00');

  const actions = (await stack.server.admin.listAudit()).map((r) => r.action);
  expect(actions).toEqual(
    expect.arrayContaining([
      'software.package_uploaded',
      'software.job_created',
      'software.installed',
      'software.rolled_back',
    ]),
  );
  expect((await stack.server.admin.verifyAudit()).ok).toBe(true);
});

test('a package altered on the server after signing is refused by the agent', async ({
  page,
  context,
}) => {
  stack = await startStack();
  await openSoftware(page);
  await upload(page, '2.61.00', 'CVSM 6400', Buffer.alloc(200 * 1024, 3));
  const packagesDir = join(stack.dataDir, 'packages');
  const newest = readdirSync(packagesDir)
    .filter((name) => name.endsWith('.bin'))
    .sort(
      (a, b) => statSync(join(packagesDir, b)).mtimeMs - statSync(join(packagesDir, a)).mtimeMs,
    )[0];
  writeFileSync(join(packagesDir, newest ?? ''), Buffer.alloc(200 * 1024, 4));
  await deliver(page, '2.61.00', ['Ward 3 vital signs monitor']);

  await installNow(context, 'Monitor firmware 2.61.00');

  await expect(target(page, 'Ward 3')).toContainText('Refused by the agent', { timeout: 20_000 });
  await expect(target(page, 'Ward 3')).toContainText('does not match its signed SHA-256');
  await expect(target(page, 'Ward 3')).toContainText('altered or damaged');
  const refused = (await stack.server.admin.listAudit()).find(
    (r) => r.action === 'software.refused',
  );
  expect(JSON.stringify(refused?.detail)).toContain('signed SHA-256');
});

test('a licence is delivered and shown for its device; technicians may not upload', async ({
  page,
  context,
}) => {
  stack = await startStack();
  await openSoftware(page, stack.user.username);
  await expect(page.getByText('Only administrators can upload packages')).toBeVisible();

  await page
    .getByLabel('Device', { exact: true })
    .selectOption(`${stack.agentId}/dev-probp-clinic`);
  await page.getByLabel('Options (comma-separated)').fill('ECG, SpO2 trend');
  await page.getByRole('button', { name: 'Issue and deliver' }).click();
  const licences = page.getByTestId('software-licences');
  await expect(licences).toContainText('Waiting for facility approval');

  await installNow(context, 'Licence: ECG, SpO2 trend');

  await expect(licences).toContainText('Installed', { timeout: 20_000 });
  await expect(licences).toContainText('Outpatient clinic blood pressure device');
  await expect(licences).toContainText('ECG, SpO2 trend');
});

test('staff schedule an install for a later window; a window already over is refused in words', async ({
  page,
  context,
}) => {
  stack = await startStack();
  await openSoftware(page);
  await upload(page, '2.70.00', 'CVSM 6400', Buffer.alloc(64 * 1024, 3));
  await deliver(page, '2.70.00', ['Ward 3 vital signs monitor']);

  const consent = await openConsent(context, stack);
  const card = consent.getByRole('article', { name: 'Monitor firmware 2.70.00' });
  await card.getByRole('button', { name: 'Schedule window…' }).click();
  const form = card.getByRole('form', { name: 'Install window' });

  await form.getByLabel('From').fill('00:00');
  await form.getByLabel('to', { exact: true }).fill('00:01');
  await form.getByRole('button', { name: 'Schedule install' }).click();
  await expect(form.getByRole('alert')).toHaveText(/already over/);

  const tomorrow = new Date(Date.now() + 24 * 60 * 60_000);
  const day = `${tomorrow.getFullYear()}-${String(tomorrow.getMonth() + 1).padStart(2, '0')}-${String(tomorrow.getDate()).padStart(2, '0')}`;
  await form.getByLabel('On').check();
  await form.getByLabel('Date').fill(day);
  await form.getByLabel('From').fill('02:00');
  await form.getByLabel('to', { exact: true }).fill('04:00');
  await form.getByRole('button', { name: 'Schedule install' }).click();

  await expect(target(page, 'Ward 3')).toContainText('Scheduled', { timeout: 15_000 });
  await expect(consent.getByText(/window/i).first()).toBeVisible();
  const actions = (await stack.server.admin.listAudit()).map((r) => r.action);
  expect(actions).toContain('software.scheduled');
});
