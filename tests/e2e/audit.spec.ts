import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEMO_ADMIN } from '../../scripts/demo.ts';
import { TEST_IDS } from '../../web/test-ids.ts';
import { startStack, type Stack } from '../stack.ts';
import { signInAs, startApprovedSession } from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

/** Clicks a download link and returns what was downloaded, with its file name. */
async function download(page: Page, name: string): Promise<{ file: string; text: string }> {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name }).click(),
  ]);
  const path = await file.path();
  return { file: file.suggestedFilename(), text: readFileSync(path, 'utf8') };
}

test('a session requested, approved and ended is in the Audit area, both downloads and the consent page Record', async ({
  page,
  context,
  browser,
}) => {
  stack = await startStack();
  const consent = await startApprovedSession(page, context, stack);
  await page.getByRole('button', { name: 'End session' }).click();
  await expect(page.getByText('The technician ended the session.')).toBeVisible();

  // The facility's side: the receipt in words, the chain check, and the file for IT.
  await expect(consent.getByTestId(TEST_IDS.consentRecordEvent)).toHaveCount(0);
  await consent.getByRole('button', { name: /^Show the newest \d+ events$/ }).click();
  const receipt = consent.getByTestId(TEST_IDS.consentRecordEvent).filter({
    hasText:
      /Staff approved Read device event and error logs.* for Demo Technician \(Tether Device Service\) until the session ends/,
  });
  await expect(receipt).toHaveCount(1);
  await expect(receipt).toContainText(/^\d\d:\d\d/);
  await expect(
    consent
      .getByTestId(TEST_IDS.consentRecordEvent)
      .filter({ hasText: 'demo-tech ended the session' }),
  ).toHaveCount(1);
  await expect(consent.getByTestId(TEST_IDS.consentRecordCheck)).toContainText('Record intact');
  await expect(consent.getByText(join(stack.dataDir, 'agent', 'audit.jsonl'))).toBeVisible();

  // The server's side, for an administrator in a browser of their own.
  const ended = async () =>
    (await stack.server.admin.listAudit()).find(
      (r) => r.action === 'session.transition' && (r.detail as { to?: string }).to === 'ended',
    );
  await expect.poll(async () => Boolean(await ended())).toBe(true);
  const sessionId = (await ended())?.sessionId ?? '';
  const expected = (await stack.server.admin.listAudit(sessionId)).map((r) => r.id).reverse();
  expect(expected.length).toBeGreaterThanOrEqual(5);

  const adminContext = await browser.newContext({ acceptDownloads: true });
  const admin = await adminContext.newPage();
  await signInAs(admin, stack, DEMO_ADMIN.username);
  await admin.getByRole('button', { name: 'Audit', exact: true }).click();
  await expect(admin.getByTestId(TEST_IDS.auditChain)).toContainText(
    /Chain intact: \d+ records, \d+ signed checkpoints?\./,
  );

  await admin.getByLabel('Session', { exact: true }).fill(sessionId);
  const rows = admin.getByTestId(TEST_IDS.auditRow);
  await expect(rows).toHaveCount(expected.length);
  await expect(admin.getByTestId(TEST_IDS.auditCount)).toHaveText(
    `${expected.length} records shown`,
  );
  await expect(rows.and(admin.locator('[data-action="session.requested"]'))).toContainText(
    /demo-tech\s*Technician\s*Demo Facility\s*Demo Facility service computer/,
  );
  await expect(rows.and(admin.locator('[data-action="session.transition"]')).first()).toContainText(
    'ended_by_technician',
  );

  const csv = await download(admin, 'Download CSV');
  expect(csv.file).toMatch(/^tether-audit-.+\.csv$/);
  const csvLines = csv.text.split('\r\n');
  expect(csvLines.shift()).toBe(
    'id,time,actor,role,facility,agent,session,action,capability,outcome,detail,hash',
  );
  expect(csvLines.pop()).toBe('');
  expect(csvLines.map((line) => Number(line.split(',')[0]))).toEqual(expected);
  expect(csvLines.every((line) => line.includes(`,${sessionId},`))).toBe(true);

  const jsonl = await download(admin, 'Download JSON Lines');
  expect(jsonl.file).toMatch(/^tether-audit-.+\.jsonl$/);
  const records = jsonl.text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: number; sessionId: string });
  expect(records.map((r) => r.id)).toEqual(expected);
  expect(records.every((r) => r.sessionId === sessionId)).toBe(true);

  await adminContext.close();
});
