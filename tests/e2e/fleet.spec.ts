import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startConnectProxy, type ConnectProxy } from '../connect-proxy.ts';
import { startStack, type Stack } from '../stack.ts';
import { signIn } from './steps.ts';

let stack: Stack;
/** The agent's only way out, through which it can be cut off the network. */
let proxy: ConnectProxy | undefined;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
  await proxy?.close();
  proxy = undefined;
});

/** The agent's environment for reaching the server only through a fresh proxy. */
async function behindProxy(): Promise<Record<string, string>> {
  proxy = await startConnectProxy();
  return { HTTP_PROXY: proxy.url, NO_PROXY: '' };
}

const DEVICE_NAMES = [
  'Ward 3 vital signs monitor',
  'Emergency triage spot monitor',
  'Outpatient clinic blood pressure device',
  'ICU step-down vital signs monitor',
];
const DEVICE_IDS = ['dev-cvsm-ward3', 'dev-spot-ed', 'dev-probp-clinic', 'dev-cvsm-icu'];

function rows(page: Page) {
  return page.getByTestId(TEST_IDS.fleetDeviceRow);
}

/** How many events the server holds for the demo agent's devices between two times. */
async function eventsBetween(page: Page, from: string, to: string): Promise<number> {
  let total = 0;
  for (const device of DEVICE_IDS) {
    const query = new URLSearchParams({ agent: stack.agentId, device, from, to, limit: '1' });
    const res = await page.request.get(`${stack.consoleUrl}/api/fleet/events?${query}`);
    expect(res.status()).toBe(200);
    total += ((await res.json()) as { total: number }).total;
  }
  return total;
}

test('the fleet dashboard shows reported service data, trends and a filtered event log', async ({
  page,
}) => {
  stack = await startStack({
    agentEnv: { TETHER_SERVICE_REPORT_SECONDS: '2' },
  });
  await signIn(page, stack);
  await page
    .getByRole('navigation', { name: 'Console areas' })
    .getByRole('button', { name: 'Fleet' })
    .click();

  // The Demo Facility's four devices, with firmware and at least one worded alert.
  const facility = page.getByRole('region', { name: 'Demo Facility' });
  await expect(rows(page)).toHaveCount(4);
  for (const name of DEVICE_NAMES)
    await expect(facility.getByRole('button', { name })).toBeVisible();
  await expect(facility.getByText('2.43.02')).toBeVisible();
  await expect(facility.getByText('Battery 62 %')).toBeVisible();
  await expect(facility.getByText(/Calibration due in \d+ d/)).toBeVisible();
  await expect(page.getByTestId(TEST_IDS.fleetSummary)).toContainText(/Devices\s*4/);

  // Search narrows the table; clearing it brings everything back.
  await page.getByLabel('Search devices').fill('spot 4400');
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first()).toContainText('Emergency triage spot monitor');
  await page.getByLabel('Search devices').fill('');
  await expect(rows(page)).toHaveCount(4);

  // Sorting by battery health: weakest first, then strongest first.
  await facility.getByRole('button', { name: /^Battery/ }).click();
  await expect(rows(page).first()).toContainText('Emergency triage spot monitor');
  await facility.getByRole('button', { name: /^Battery/ }).click();
  await expect(rows(page).first()).toContainText('ICU step-down vital signs monitor');

  // The device panel: facts, alerts in sentences, and charts drawn from several reports.
  await facility.getByRole('button', { name: 'Emergency triage spot monitor' }).click();
  await expect(page.getByRole('heading', { name: 'Emergency triage spot monitor' })).toBeVisible();
  await expect(page.getByText(/plan a battery replacement/)).toBeVisible();
  const battery = page.getByRole('figure', { name: 'Battery health' });
  await expect(battery.getByText(/^([3-9]|\d{2,}) reports$/)).toBeVisible({ timeout: 30_000 });
  await expect(battery.locator('canvas')).toBeVisible();
  await expect(
    page.getByRole('figure', { name: 'Errors per report' }).locator('canvas'),
  ).toBeVisible();

  // The event viewer: the severity filter leaves only warnings and worse.
  const events = page.getByTestId(TEST_IDS.fleetEventRow);
  await expect(events.first()).toBeVisible({ timeout: 20_000 });
  await page.getByLabel('Severity').selectOption({ label: 'Warning and above' });
  await expect(events.first()).toBeVisible({ timeout: 30_000 });
  const severities = await events.evaluateAll((els) =>
    els.map((el) => el.getAttribute('data-severity')),
  );
  expect(severities.every((s) => ['warning', 'error', 'critical'].includes(s ?? ''))).toBe(true);

  // ... and the text search narrows it to one code.
  const code = (await events.first().locator('td').nth(2).innerText()).trim();
  expect(code).toMatch(/^[A-Z]-/);
  await page.getByLabel('Search', { exact: true }).fill(code);
  await expect.poll(() => events.evaluateAll((els) => els.length)).toBeGreaterThan(0);
  const texts = await events.evaluateAll((els) => els.map((el) => el.textContent ?? ''));
  expect(texts.every((t) => t.includes(code))).toBe(true);

  // The CSV holds exactly the filtered events.
  const shown = await page.getByTestId(TEST_IDS.fleetEventCount).innerText();
  const total = Number(/of (\d+)/.exec(shown)?.[1]);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  const csv = readFileSync((await download.path()) ?? '', 'utf8')
    .trim()
    .split('\r\n');
  expect(csv[0]).toBe('time,severity,code,text,items removed by the PHI filter');
  const lines = csv.slice(1);
  expect(lines).toHaveLength(total);
  for (const line of lines) {
    expect(line).toContain(code);
    expect(line).toMatch(/^[^,]+,(warning|error|critical),/);
  }
});

test('events logged while the agent is cut off arrive after it reconnects', async ({ page }) => {
  stack = await startStack({
    agentEnv: { TETHER_SERVICE_REPORT_SECONDS: '2', ...(await behindProxy()) },
  });
  await signIn(page, stack);
  await page
    .getByRole('navigation', { name: 'Console areas' })
    .getByRole('button', { name: 'Fleet' })
    .click();
  await expect(rows(page)).toHaveCount(4);

  await proxy!.cut('reset');
  const cutAt = new Date().toISOString();
  await expect(rows(page).first()).toContainText('Agent offline');
  await page.waitForTimeout(6000);
  const restoredAt = new Date().toISOString();

  // While cut off, nothing of the outage can have reached the server.
  expect(await eventsBetween(page, cutAt, restoredAt)).toBe(0);

  proxy!.restore();
  await expect
    .poll(() => eventsBetween(page, cutAt, restoredAt), { timeout: 40_000 })
    .toBeGreaterThan(0);
  await expect(rows(page).first()).not.toContainText('Agent offline', { timeout: 20_000 });
});
