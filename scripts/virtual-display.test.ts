import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PATTERN_LAYOUT, readPatternStamp, stampAgeMs } from '../bench/pattern-layout.ts';
import { startVirtualDisplay, type VirtualDisplay } from './virtual-display.ts';

const has = (command: string): boolean =>
  spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const hasXvfb = has('Xvfb');
const hasCapture = hasXvfb && has('ffmpeg') && has('xdotool');

if (!hasXvfb) console.warn('virtual-display tests skipped: Xvfb is not installed');
else if (!hasCapture) console.warn('screen checks skipped: ffmpeg or xdotool is not installed');

const started: VirtualDisplay[] = [];

async function start(app: Parameters<typeof startVirtualDisplay>[0] = {}): Promise<VirtualDisplay> {
  const display = await startVirtualDisplay(app);
  if ('unavailable' in display) throw new Error(display.unavailable);
  started.push(display);

  return display;
}

/** One frame of the display as packed RGB, captured the way the agent captures it. */
function grabFrame(display: VirtualDisplay): Buffer {
  const size = `${display.width}x${display.height}`;

  return execFileSync(
    'ffmpeg',
    [
      ...['-loglevel', 'error', '-f', 'x11grab', '-draw_mouse', '0', '-video_size', size],
      ...['-i', `${display.display}.0`, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24'],
      '-',
    ],
    { maxBuffer: 16 << 20 },
  );
}

function pixel(frame: Buffer, display: VirtualDisplay, x: number, y: number): string {
  const at = (y * display.width + x) * 3;

  return [0, 1, 2].map((i) => frame[at + i]!.toString(16).padStart(2, '0')).join('');
}

/** Whether a process exists and is not a zombie waiting to be reaped. */
function isRunning(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((d) => d.stop()));
});

describe.skipIf(!hasXvfb)('startVirtualDisplay', () => {
  it('runs Xvfb and the service application, and stop() leaves nothing behind', async () => {
    const display = await start();

    const number = display.display.slice(1);
    expect(Number(number)).toBeGreaterThanOrEqual(90);
    expect(existsSync(`/tmp/.X11-unix/X${number}`)).toBe(true);
    expect(display.warning).toBeUndefined();
    expect(isRunning(display.pids.xvfb)).toBe(true);
    expect(isRunning(display.pids.app)).toBe(true);

    await display.stop();
    await display.stop();
    expect(isRunning(display.pids.xvfb)).toBe(false);
    expect(isRunning(display.pids.app)).toBe(false);
    expect(existsSync(`/tmp/.X11-unix/X${number}`)).toBe(false);
    expect(existsSync(`/tmp/.X${number}-lock`)).toBe(false);
  });

  it('gives displays started together different numbers', async () => {
    const [a, b] = await Promise.all([start({ app: false }), start({ app: false })]);

    expect(a.display).not.toBe(b.display);
    expect(a.pids.app).toBeNull();
  });

  it('reports Xvfb missing instead of throwing', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await startVirtualDisplay()).toEqual({ unavailable: 'Xvfb is not installed' });
    } finally {
      process.env.PATH = path;
    }
  });

  it.skipIf(!hasCapture)('shows a visible change when Run self-test is clicked', async () => {
    const display = await start();
    const statusBar = (): string => pixel(grabFrame(display), display, 640, display.height - 6);

    expect(statusBar()).toBe('dde3ea');
    // "Run self-test" sits at this point of the 1280x720 layout of demo/service-app.py.
    execFileSync('xdotool', ['mousemove', '890', '200', 'click', '1'], {
      env: { ...process.env, DISPLAY: display.display },
    });
    await expect.poll(statusBar, { timeout: 5000 }).toBe('f6d365');
  });

  it.skipIf(!hasCapture)('draws the current time in the test pattern', async () => {
    const display = await start({ app: 'pattern' });
    const frame = grabFrame(display);
    const luma = (x: number, y: number): number => {
      const at =
        (Math.round(y * display.height) * display.width + Math.round(x * display.width)) * 3;

      return (frame[at]! + frame[at + 1]! + frame[at + 2]!) / 3;
    };

    const stamp = readPatternStamp(luma, PATTERN_LAYOUT);
    expect(stamp).not.toBeNull();
    expect(stampAgeMs(stamp!, Date.now())).toBeLessThan(2000);
  });
});
