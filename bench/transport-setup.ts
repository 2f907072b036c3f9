import type { Browser, Page } from '@playwright/test';
import type { Coturn } from '../tests/coturn.ts';
import { startStack, type Stack, type StackOptions } from '../tests/stack.ts';
import { TEST_IDS } from '../web/test-ids.ts';

/** One rung's session setup, timed from the Approve click to the first log line. */
export interface SetupRung {
  name: string;
  /** Goal for the median, in milliseconds. */
  goalP50Ms: number;
  /** How the stack is started so that sessions take this rung; throws when it cannot. */
  stack(coturn: Coturn | null): StackOptions;
  /** What the console must show as its path; a session on any other fails the rung. */
  path?: string;
}

export type SetupResult =
  { rung: SetupRung; samplesMs: number[]; path: string } | { rung: SetupRung; skipped: string };

export const SETUP_RUNGS: SetupRung[] = [
  { name: 'direct', goalP50Ms: 1000, stack: () => ({}) },
  {
    name: 'TURN TCP',
    goalP50Ms: 2000,
    stack(coturn) {
      if (!coturn) throw new Error('coturn is not installed (turnserver not found)');
      return {
        turn: { urls: [coturn.tcpUrl], secret: coturn.secret },
        iceTransportPolicy: 'relay',
      };
    },
  },
  {
    name: 'encrypted relay',
    goalP50Ms: 5000,
    path: 'Encrypted relay',
    // As tests/e2e/relay.spec.ts does: the agent offers no host candidate and the only
    // TURN server is one nobody listens on (port 9), so no WebRTC path can come up and
    // the console opens the relay after the server's default wait, which the time keeps.
    stack: () => ({
      policy: { network: { hostCandidates: 'none' } },
      turn: { urls: ['turn:127.0.0.1:9?transport=tcp'], secret: 'nobody-listens-on-port-9' },
    }),
  },
];

const STEP_MS = 30_000;
const LOGS = '[role="log"][aria-label="Device logs"] .xterm-rows';

type StampWindow = Window & { __approvedAt?: number | null; __firstLogAt?: number | null };

/**
 * Starts a whole stack for the rung (real signaling server, real agent process) and
 * times `runs` sessions: sign in, request, approve on the consent page, first log line
 * in the console's terminal. Staff use their own browser, so the consent page lives in
 * another context and the console page stays in front, rendering at full rate.
 */
export async function measureSetup(
  browser: Browser,
  rung: SetupRung,
  coturn: Coturn | null,
  runs: number,
): Promise<SetupResult> {
  let stack: Stack;
  try {
    stack = await startStack(rung.stack(coturn));
  } catch (error) {
    return { rung, skipped: (error as Error).message.split('\n')[0] ?? 'the stack did not start' };
  }

  const staff = await browser.newContext();
  try {
    const consent = await staff.newPage();
    await consent.goto(stack.consentUrl);
    await consent.evaluate(stampApproveClicks);
    const samplesMs: number[] = [];
    let path = '';
    for (let run = 0; run < runs; run += 1) {
      const sample = await timeOneSession(browser, stack, consent);
      if (rung.path && sample.path !== rung.path) {
        throw new Error(`the console showed "${sample.path}", not "${rung.path}"`);
      }
      samplesMs.push(sample.ms);
      path = sample.path;
    }

    return { rung, samplesMs, path };
  } catch (error) {
    // The table says the rung failed; the details are for whoever looks into it.
    const tail = stack.agentLog.slice(-8).join('\n');
    process.stderr.write(`${rung.name} setup: ${(error as Error).message}\nagent log:\n${tail}\n`);
    return { rung, skipped: `failed: ${(error as Error).message.split('\n')[0]}` };
  } finally {
    await staff.close();
    await stack.stop();
  }
}

async function timeOneSession(
  browser: Browser,
  stack: Stack,
  consent: Page,
): Promise<{ ms: number; path: string }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  try {
    const page = await context.newPage();
    await signInAndRequest(page, stack);

    const approve = consent.getByRole('button', { name: 'Approve' }).first();
    await approve.waitFor({ timeout: STEP_MS });
    await page.bringToFront();
    // A hidden page renders about once a second, which would be timed as setup.
    const visibility = await page.evaluate(() => document.visibilityState);
    if (visibility !== 'visible') throw new Error(`the console page is ${visibility}`);
    await page.evaluate(watchForFirstLog, LOGS);
    await consent.evaluate(() => ((window as StampWindow).__approvedAt = null));
    await approve.click();
    await page.waitForFunction(() => (window as StampWindow).__firstLogAt != null, undefined, {
      timeout: STEP_MS,
    });

    const approvedAt = await consent.evaluate(() => (window as StampWindow).__approvedAt);
    const firstLogAt = await page.evaluate(() => (window as StampWindow).__firstLogAt);
    if (approvedAt == null || firstLogAt == null) throw new Error('the Approve click was not seen');
    const path = await page
      .getByTestId(TEST_IDS.connectionPath)
      .innerText()
      .catch(() => '?');

    await page.getByRole('button', { name: 'End session' }).click();
    await page.getByRole('button', { name: 'New request' }).waitFor({ timeout: STEP_MS });
    return { ms: firstLogAt - approvedAt, path };
  } finally {
    await context.close();
  }
}

async function signInAndRequest(page: Page, stack: Stack): Promise<void> {
  await page.goto(stack.consoleUrl);
  await page.getByLabel('User name').fill(stack.user.username);
  await page.getByLabel('Password').fill(stack.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor({ timeout: STEP_MS });

  await page.getByText('Demo Facility service computer').first().click();
  await page.getByRole('button', { name: 'Request session' }).click();
  await page.getByText(/Waiting for facility approval/).waitFor({ timeout: STEP_MS });
}

/**
 * Runs in the consent page: stamps each press of Approve with the wall clock, in the
 * capture phase so the stamp comes before the page's own handler acts on it.
 */
function stampApproveClicks(): void {
  document.addEventListener(
    'click',
    (event) => {
      const button = (event.target as Element | null)?.closest('button');
      if (button?.textContent?.trim() === 'Approve') {
        (window as StampWindow).__approvedAt = Date.now();
      }
    },
    true,
  );
}

/**
 * Runs in the console page: stamps the moment the log terminal first shows text. A
 * mutation observer rather than a poll, so the stamp is taken in the same task that
 * rendered the line.
 */
function watchForFirstLog(selector: string): void {
  const w = window as StampWindow;
  w.__firstLogAt = null;
  const observer = new MutationObserver(() => {
    const rows = document.querySelector(selector);
    if (rows && (rows.textContent ?? '').trim() !== '') {
      w.__firstLogAt = Date.now();
      observer.disconnect();
    }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
}
