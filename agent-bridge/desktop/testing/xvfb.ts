import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findExecutable } from '../run.ts';

/** A private X server for one test file. */
export interface TestDisplay {
  /** For DISPLAY, e.g. `:301`. */
  display: string;
  /** process.env with DISPLAY set to this server. */
  env: NodeJS.ProcessEnv;
  width: number;
  height: number;
  stop(): Promise<void>;
}

/** Test displays use numbers from here on, apart from the demo's and people's own. */
const FIRST = 300;
const LAST = 399;

/**
 * Starts `Xvfb :N -screen 0 WxHx24 -nolisten tcp` on the first free N from :300, and
 * waits for its socket. `-noreset` keeps the server as it is when the last client
 * leaves (xdotool ending would otherwise reset the pointer). Returns null when Xvfb is
 * not installed. Test files running in parallel each find their own number: a taken one
 * makes Xvfb exit at once and the next is tried.
 */
export async function startTestDisplay(width = 1280, height = 720): Promise<TestDisplay | null> {
  if (!findExecutable('Xvfb')) return null;
  const start = FIRST + Math.floor(Math.random() * (LAST - FIRST));

  for (let i = 0; i <= LAST - FIRST; i += 1) {
    const n = FIRST + ((start - FIRST + i) % (LAST - FIRST + 1));
    if (existsSync(`/tmp/.X${n}-lock`) || existsSync(`/tmp/.X11-unix/X${n}`)) continue;

    const child = spawn(
      'Xvfb',
      [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'],
      { stdio: 'ignore' },
    );
    if (await socketAppears(child, n)) {
      const display = `:${n}`;
      return {
        display,
        env: { ...process.env, DISPLAY: display },
        width,
        height,
        stop: () => stop(child),
      };
    }
    await stop(child);
  }

  throw new Error('No free X display number between :300 and :399.');
}

async function socketAppears(child: ChildProcess, n: number): Promise<boolean> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (existsSync(`/tmp/.X11-unix/X${n}`)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
