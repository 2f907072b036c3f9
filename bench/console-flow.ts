import type { BrowserContext, Page } from '@playwright/test';
import { hasPlayingVideo } from './page-probe.ts';
import type { Rig } from './rig.ts';

const STEP_MS = 30_000;

/**
 * Drives the console the way a technician does: signs in, requests a session, has it
 * approved on the facility's consent page, opens the Screen tab and waits for a moving
 * picture. Returns the consent page, which later approves a request for control.
 */
export async function openApprovedScreen(
  page: Page,
  context: BrowserContext,
  rig: Rig,
): Promise<Page> {
  await page.goto(rig.consoleUrl);
  await page.getByLabel('User name').fill(rig.user.username);
  await page.getByLabel('Password').fill(rig.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: STEP_MS });

  await page.getByText('Demo Facility service computer').first().click();
  await page.getByRole('button', { name: 'Request session' }).click();

  const consent = await context.newPage();
  await consent.goto(rig.consentUrl);
  await consent.getByRole('button', { name: 'Approve' }).click({ timeout: STEP_MS });

  await step('the Screen tab', () =>
    page.getByRole('tab', { name: 'Screen' }).click({ timeout: STEP_MS }),
  );
  await step('screen viewing', () => askFacility(page, consent, 'Request screen viewing'));
  await page.bringToFront();
  await step('a playing remote desktop video', () =>
    page.waitForFunction(hasPlayingVideo, undefined, { timeout: STEP_MS }),
  );

  return consent;
}

/**
 * Makes sure the session may control the screen: when the console offers "Request
 * control", presses it and approves the request on the consent page.
 */
export async function ensureControl(page: Page, consent: Page): Promise<void> {
  await step('control', () => askFacility(page, consent, 'Request control'));
}

/**
 * When the console offers the button `name` (a request for one more capability), presses
 * it, approves the request on the consent page and waits for the button to go away.
 */
async function askFacility(page: Page, consent: Page, name: string): Promise<void> {
  const request = page.getByRole('button', { name });
  // The panel settles right after the tab opens; give it a moment to show the button.
  await request.waitFor({ timeout: 1500 }).catch(() => undefined);
  if (!(await request.isVisible())) return;

  await request.click();
  await consent.getByRole('button', { name: 'Approve' }).click({ timeout: STEP_MS });
  await request.waitFor({ state: 'hidden', timeout: STEP_MS });
  // A page in the background gets its video frame callbacks about once a second only.
  await page.bringToFront();
}

/** Runs one step, naming it in the error when it fails. */
async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`waiting for ${what}: ${(error as Error).message.split('\n')[0]}`);
  }
}
