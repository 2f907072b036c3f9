import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startStack, type Stack } from '../stack.ts';
import { openConsent, requestSession, signIn, terminalText } from './steps.ts';

let stack: Stack;

test.afterEach(async ({ page: _page }, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus && stack) {
    await testInfo.attach('agent log', { body: stack.agentLog.join('\n') });
  }
  await stack?.stop();
});

/** Decoded frames so far, as the console's viewer reports them. */
async function framesOf(screen: Locator): Promise<number> {
  return Number((await screen.getAttribute('data-frames')) ?? 0);
}

/** Whether an ffmpeg capture of `display` is running (capture runs only while viewed). */
function captureRunning(display: string): boolean {
  const list = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return list.split('\n').some((line) => line.includes('x11grab') && line.includes(display));
}

/** Whether the agent's "someone is viewing" banner is on the facility's screen. */
function bannerShown(display: string): boolean {
  try {
    execFileSync('xdotool', ['search', '--onlyvisible', '--classname', 'tether-banner'], {
      env: { ...process.env, DISPLAY: display },
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

/** The text on the remote clipboard, or '' while it holds none. */
function remoteClipboard(display: string): string {
  try {
    return execFileSync('xclip', ['-o', '-selection', 'clipboard'], {
      env: { ...process.env, DISPLAY: display },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return '';
  }
}

/** Clicks the middle of a box given in remote-screen pixels, through the console's viewer. */
async function clickRemote(page: Page, screen: Locator, box: number[]): Promise<void> {
  const [x = 0, y = 0, w = 0, h = 0] = box;
  const video = screen.locator('video');
  const rect = await video.boundingBox();
  if (!rect) throw new Error('the remote screen is not shown');

  // The picture is letterboxed inside the video element (object-fit: contain).
  const scale = Math.min(rect.width / 1280, rect.height / 720);
  const left = rect.x + (rect.width - 1280 * scale) / 2;
  const top = rect.y + (rect.height - 720 * scale) / 2;
  await page.mouse.click(left + (x + w / 2) * scale, top + (y + h / 2) * scale);
}

test('the technician views the service computer, asks for control and uses it', async ({
  page,
  context,
}) => {
  stack = await startStack({ desktop: true });
  const display = stack.display!.display;
  await signIn(page, stack);
  await requestSession(page);

  const consent = await openConsent(context, stack);
  await expect(consent.getByLabel('View the service computer screen')).toBeChecked();
  await consent.getByRole('button', { name: 'Approve' }).click();

  await page.getByRole('tab', { name: 'Screen' }).click();
  const screen = page.getByRole('region', { name: 'Remote screen' });
  await expect.poll(() => framesOf(screen), { timeout: 20_000 }).toBeGreaterThan(10);
  const seen = await framesOf(screen);
  await expect.poll(() => framesOf(screen)).toBeGreaterThan(seen + 10);
  expect(captureRunning(display)).toBe(true);
  await expect(page.getByText('View only', { exact: true })).toBeVisible();
  await expect(consent.getByText('Viewing screen')).toBeVisible();
  await expect.poll(() => bannerShown(display)).toBe(true);

  await page.getByRole('button', { name: 'Request control' }).click();
  await expect(consent.getByRole('heading', { name: /asks for more access/ })).toBeVisible();
  await expect(consent.getByLabel('Control the service computer')).toBeChecked();
  await consent.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByText('Controlling', { exact: true })).toBeVisible();
  await expect(consent.getByText('Controlling')).toBeVisible();

  // Type a service note into the tool's field on the remote screen; the tool logs it.
  const layout = JSON.parse(readFileSync(stack.layoutFile, 'utf8')) as Record<string, number[]>;
  await clickRemote(page, screen, layout.note!);
  await page.keyboard.type('Cuff hose replaced');
  await page.keyboard.press('Enter');
  const toolLog = join(stack.dropboxDir, 'service-tool.log');
  await expect
    .poll(() => readFileSync(toolLog, 'utf8'))
    .toContain('Service note: Cuff hose replaced');

  // A click on a button changes the remote display: the self-test starts.
  await clickRemote(page, screen, layout.selfTest!);
  await expect.poll(() => readFileSync(toolLog, 'utf8')).toContain('Self-test started');

  // Clipboard both ways.
  await page.getByRole('button', { name: 'Send clipboard' }).click();
  await page.getByLabel('Paste the text for the remote clipboard').fill('SN 100123456789');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await expect.poll(() => remoteClipboard(display)).toBe('SN 100123456789');
  await page.getByRole('button', { name: 'Get clipboard' }).click();
  await expect(page.getByRole('textbox', { name: 'Remote clipboard' })).toHaveValue(
    'SN 100123456789',
  );

  // What the technician did on the screen shows in the device logs too.
  await page.getByRole('tab', { name: 'Device logs' }).click();
  await page.getByLabel('Device', { exact: true }).selectOption({ label: 'service-tool.log' });
  await expect.poll(() => terminalText(page)).toContain('Cuff hose replaced');

  // Staff take control back; then the session ends and the capture stops.
  await consent.getByRole('button', { name: 'Stop control' }).click();
  await page.getByRole('tab', { name: 'Screen' }).click();
  await expect(page.getByText('View only', { exact: true })).toBeVisible();
  await consent.getByRole('button', { name: 'End session' }).click();
  await expect(page.getByText('The facility ended the session.')).toBeVisible();
  await expect.poll(() => captureRunning(display)).toBe(false);
  await expect.poll(() => bannerShown(display)).toBe(false);
});

test('staff deny control, and the agent refuses input that skips the page', async ({
  page,
  context,
}) => {
  stack = await startStack({ desktop: true });
  // Keep a handle on the input channel, to send what the page itself never would.
  await page.addInitScript(() => {
    const create = RTCPeerConnection.prototype.createDataChannel;
    RTCPeerConnection.prototype.createDataChannel = function (label, init) {
      const channel = create.call(this, label, init);
      if (label === 'input')
        (window as unknown as { inputChannel: RTCDataChannel }).inputChannel = channel;
      return channel;
    };
  });
  await signIn(page, stack);
  await requestSession(page);
  const consent = await openConsent(context, stack);
  await consent.getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('tab', { name: 'Screen' }).click();

  await page.getByRole('button', { name: 'Request control' }).click();
  await consent.getByRole('button', { name: 'Deny' }).click();

  await expect(page.getByText('The facility denied the request.')).toBeVisible();
  await expect(page.getByText('View only', { exact: true })).toBeVisible();

  // A click on the self-test button, sent straight on the input channel.
  const layout = JSON.parse(readFileSync(stack.layoutFile, 'utf8')) as Record<string, number[]>;
  const [x = 0, y = 0, w = 0, h = 0] = layout.selfTest!;
  const at = { x: (x + w / 2) / 1280, y: (y + h / 2) / 720 };
  await page.evaluate((point) => {
    const channel = (window as unknown as { inputChannel: RTCDataChannel }).inputChannel;
    for (const down of [true, false]) {
      channel.send(JSON.stringify({ type: 'pointer.button', button: 'left', down, ...point }));
    }
  }, at);

  await expect(page.getByRole('alert')).toContainText('Remote control was not granted');
  await page.waitForTimeout(1000); // had the click gone through, the tool would have logged it
  const toolLog = readFileSync(join(stack.dropboxDir, 'service-tool.log'), 'utf8');
  expect(toolLog).not.toContain('Self-test started');
});

test('the technician is told in words when the facility has no desktop', async ({
  page,
  context,
}) => {
  stack = await startStack();
  await signIn(page, stack);
  await requestSession(page);
  const consent = await openConsent(context, stack);
  await consent.getByRole('button', { name: 'Approve' }).click();

  await page.getByRole('tab', { name: 'Screen' }).click();
  await expect(page.getByText(/Desktop not available at this facility: /)).toBeVisible();
});
