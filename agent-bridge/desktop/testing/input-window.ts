import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** What input-window.py reports. */
export type WindowEvent =
  | { event: 'ready' }
  | { event: 'text'; text: string }
  | { event: 'button'; button: number; shift: boolean; x: number; y: number };

export interface InputWindow {
  events: WindowEvent[];
  /** Resolves with the first event (seen or to come) that passes `check`. */
  waitFor(check: (event: WindowEvent) => boolean, timeoutMs?: number): Promise<WindowEvent>;
  stop(): void;
}

const SCRIPT = new URL('./input-window.py', import.meta.url).pathname;

/** Debian's python3 has tkinter from python3-tk; one earlier on PATH may not. */
function python(): string | null {
  for (const candidate of ['/usr/bin/python3', 'python3']) {
    if (candidate.startsWith('/') && !existsSync(candidate)) continue;
    const check = spawnSync(candidate, ['-c', 'import tkinter'], { stdio: 'ignore' });
    if (check.status === 0) return candidate;
  }
  return null;
}

/**
 * Opens input-window.py (a Tk window over the whole screen) on the display in `env` and
 * waits until it is focused. Returns null when no python3 with tkinter is installed.
 */
export async function openInputWindow(env: NodeJS.ProcessEnv): Promise<InputWindow | null> {
  const interpreter = python();
  if (!interpreter) return null;

  const child = spawn(interpreter, [SCRIPT], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const events: WindowEvent[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    events.push(JSON.parse(line) as WindowEvent);
    for (const wake of waiters) wake();
  });

  const waitFor = (check: (event: WindowEvent) => boolean, timeoutMs = 5000) =>
    new Promise<WindowEvent>((resolve, reject) => {
      const look = () => {
        const found = events.find(check);
        if (!found) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`window events so far: ${JSON.stringify(events)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(look);
      };
      waiters.add(look);
      look();
    });

  const window = { events, waitFor, stop: () => void child.kill('SIGKILL') };
  await waitFor((e) => e.event === 'ready', 10_000);

  return window;
}
