import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { Stack } from '../stack.ts';

/** Signs in on the console as the demo technician and waits for the fleet. */
export async function signIn(page: Page, stack: Stack): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('User name').fill(stack.user.username);
  await page.getByLabel('Password').fill(stack.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
}

/** Selects the demo agent and presses Request session. */
export async function requestSession(page: Page): Promise<void> {
  await page.getByText('Demo Facility service computer').first().click();
  await page.getByRole('button', { name: 'Request session' }).click();
  await expect(page.getByText(/Waiting for facility approval/)).toBeVisible();
}

/** Opens the facility's consent page in its own tab, as staff at the facility would. */
export async function openConsent(context: BrowserContext, stack: Stack): Promise<Page> {
  const consent = await context.newPage();
  await consent.goto(stack.consentUrl);

  return consent;
}

/** The text currently rendered in the console's log terminal. */
export async function terminalText(page: Page): Promise<string> {
  return page.getByRole('log', { name: 'Device logs' }).locator('.xterm-rows').innerText();
}

/**
 * Signs in, requests a session, approves it on the consent page and waits for the first
 * log lines. Returns the consent page for the facility's side of the test.
 */
export async function startApprovedSession(
  page: Page,
  context: BrowserContext,
  stack: Stack,
): Promise<Page> {
  await signIn(page, stack);
  await requestSession(page);
  const consent = await openConsent(context, stack);
  await consent.getByRole('button', { name: 'Approve' }).click();
  await expect.poll(() => terminalText(page), { timeout: 20_000 }).not.toBe('');

  return consent;
}
