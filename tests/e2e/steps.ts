import { expect, type BrowserContext, type Page } from '@playwright/test';
import { freshTotpCode } from '../../signaling/testing/totp-codes.ts';
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

/** Authenticator secrets set up through the console in a test, by stack and user name. */
const secrets = new WeakMap<Stack, Map<string, string>>();

/** What setting up two-factor sign-in in the console gave the person. */
export interface TwoFactorSetup {
  secret: string;
  recoveryCodes: string[];
}

/**
 * Signs in as `username` the way a person does, whatever the account needs: the password;
 * an administrator's first sign-in sets up two-factor sign-in (the secret read off the
 * screen, as someone typing it into an app would); later sign-ins answer the code step
 * with a code computed from that secret. Waits for the console.
 */
export async function signInAs(page: Page, stack: Stack, username: string): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(stack.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  const areas = page.getByRole('navigation', { name: 'Console areas' });
  const setup = page.getByLabel('Setup key');
  const code = page.getByLabel('Authentication code');
  await expect(areas.or(setup).or(code)).toBeVisible();

  if (await setup.isVisible()) {
    await setUpTwoFactor(page, stack, username);
    await page.getByLabel('I have stored these codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
  } else if (await code.isVisible()) {
    const secret = secrets.get(stack)?.get(username);
    if (!secret) throw new Error(`no authenticator secret known for ${username}`);
    await code.fill(await freshTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await expect(areas).toBeVisible();
}

/**
 * On the setup screen: reads the setup key, confirms with a code computed from it, and
 * waits for the recovery codes, which it returns with the secret.
 */
export async function setUpTwoFactor(
  page: Page,
  stack: Stack,
  username: string,
): Promise<TwoFactorSetup> {
  const secret = (await page.getByLabel('Setup key').innerText()).replace(/\s/g, '');
  await page.getByLabel('Code from the app').fill(await freshTotpCode(secret));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await expect(page.getByRole('heading', { name: 'Your recovery codes' })).toBeVisible();

  const known = secrets.get(stack) ?? new Map<string, string>();
  known.set(username, secret);
  secrets.set(stack, known);
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  return { secret, recoveryCodes: await codes.allInnerTexts() };
}
