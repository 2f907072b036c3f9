import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const DEMO_DIR = fileURLToPath(new URL('../demo/', import.meta.url));

/**
 * Debian's interpreter, which has tkinter from python3-tk; a python3 earlier on PATH
 * (pyenv, a virtualenv) often does not.
 */
const PYTHON = '/usr/bin/python3';

const FIRST_DISPLAY = 90;
const LAST_DISPLAY = 189;
const SOCKET_WAIT_MS = 10_000;
const APP_WAIT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

/** What runs on the display: the demo service computer, or the bench's test pattern. */
export type DisplayApp = 'service-app' | 'pattern';

export interface VirtualDisplayOptions {
  width?: number;
  height?: number;
  /** `true` (the default) is the Device Service Tool; `false` leaves the screen empty. */
  app?: boolean | DisplayApp;
  /** Extra command-line arguments for the application (see demo/service-app.py --help). */
  appArgs?: string[];
  /** Called with each line the application prints after it is ready. */
  onAppOutput?: (line: string) => void;
}

export interface VirtualDisplay {
  /** The X display name, such as `:90`, for DISPLAY. */
  display: string;
  width: number;
  height: number;
  /** Process IDs, for whoever measures them. */
  pids: { xvfb: number; app: number | null };
  /**
   * Set when the display runs but its application could not start (python3-tk missing,
   * for example): the technician then sees an empty screen.
   */
  warning?: string;
  /** Stops the application and the X server. Idempotent. */
  stop(): Promise<void>;
}

export interface VirtualDisplayUnavailable {
  /** Why there is no display, in words for the person who started Tether. */
  unavailable: string;
}

/**
 * Starts a private X server (Xvfb, never listening on the network) on the first free
 * display from :90 upward and, by default, the demo facility's service application on it.
 * Returns `{ unavailable }` instead of throwing when this machine cannot do it, so that
 * callers can run without a desktop.
 */
export async function startVirtualDisplay(
  options: VirtualDisplayOptions = {},
): Promise<VirtualDisplay | VirtualDisplayUnavailable> {
  const width = options.width ?? 1280;
  const height = options.height ?? 720;
  const app = options.app === true || options.app === undefined ? 'service-app' : options.app;

  if (!hasCommand('Xvfb')) return { unavailable: 'Xvfb is not installed' };

  const server = await startXvfb(width, height);
  if ('unavailable' in server) return server;

  const display = `:${server.number}`;
  let appChild: ChildProcess | null = null;
  let warning: string | undefined;
  if (app !== false) {
    const started = await startApp(app, display, width, height, options);
    if ('problem' in started) warning = started.problem;
    else appChild = started.child;
  }

  const stop = onlyOnce(async () => {
    if (appChild) await terminate(appChild);
    await terminate(server.child);
  });

  return {
    display,
    width,
    height,
    pids: { xvfb: server.child.pid!, app: appChild?.pid ?? null },
    ...(warning === undefined ? {} : { warning }),
    stop,
  };
}

interface RunningXvfb {
  number: number;
  child: ChildProcess;
}

/**
 * Tries free display numbers in turn. Another program can take a number between the
 * check and Xvfb's own lock, so a start that fails that way moves on to the next one.
 * The display counts as ours only once its lock file names our Xvfb: a socket alone may
 * belong to another server that won the race for the same number.
 */
async function startXvfb(
  width: number,
  height: number,
): Promise<RunningXvfb | VirtualDisplayUnavailable> {
  let lastError = `no free display number from :${FIRST_DISPLAY} to :${LAST_DISPLAY}`;
  for (let n = FIRST_DISPLAY; n <= LAST_DISPLAY; n += 1) {
    if (!displayIsFree(n)) continue;

    reserved.add(n);
    const child = spawn(
      'Xvfb',
      [`:${n}`, '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    killAtExit(child);
    child.once('exit', () => reserved.delete(n));
    const stderr = collectTail(child);
    const ours = (): boolean => existsSync(socketPath(n)) && lockOwner(n) === child.pid;
    if (await waitFor(ours, child, SOCKET_WAIT_MS)) return { number: n, child };

    await terminate(child);
    lastError = `Xvfb :${n} did not start: ${stderr().trim() || 'no output'}`;
    if (!/already active|lock/i.test(lastError)) break;
  }

  return { unavailable: lastError };
}

/** Display numbers this process has handed to an Xvfb that is still running. */
const reserved = new Set<number>();

function displayIsFree(n: number): boolean {
  return !reserved.has(n) && !existsSync(socketPath(n)) && !existsSync(lockPath(n));
}

/** The process ID an X server writes into its lock file, or null while there is none. */
function lockOwner(n: number): number | null {
  try {
    const pid = Number(readFileSync(lockPath(n), 'utf8').trim());
    return Number.isInteger(pid) ? pid : null;
  } catch {
    return null;
  }
}

function lockPath(n: number): string {
  return `/tmp/.X${n}-lock`;
}

function socketPath(n: number): string {
  return `/tmp/.X11-unix/X${n}`;
}

type StartedApp = { child: ChildProcess } | { problem: string };

/** Starts a demo Tk program and waits for it to say its window is on the screen. */
async function startApp(
  app: DisplayApp,
  display: string,
  width: number,
  height: number,
  options: Pick<VirtualDisplayOptions, 'appArgs' | 'onAppOutput'>,
): Promise<StartedApp> {
  if (!existsSync(PYTHON)) return { problem: `${PYTHON} is missing, so ${app} cannot run` };

  const script = `${DEMO_DIR}${app}.py`;
  const extra = options.appArgs ?? [];
  const args = [script, '--width', String(width), '--height', String(height), ...extra];
  const child = spawn(PYTHON, args, {
    env: { ...process.env, DISPLAY: display },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killAtExit(child);
  const stderr = collectTail(child);

  let ready = false;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.trim() === 'ready') ready = true;
    else if (ready) options.onAppOutput?.(line);
  });
  if (await waitFor(() => ready, child, APP_WAIT_MS)) return { child };

  await terminate(child);
  const detail = stderr().trim().split('\n').slice(-3).join(' ') || 'no output';
  const hint = /tkinter/i.test(detail) ? ' (install python3-tk)' : '';

  return { problem: `the ${app} application did not start${hint}: ${detail}` };
}

/** Polls `done` every 25 ms; false when the process exits first or time runs out. */
async function waitFor(
  done: () => boolean,
  child: ChildProcess,
  limitMs: number,
): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    if (child.exitCode !== null || child.signalCode !== null) return false;
    await new Promise((r) => setTimeout(r, 25));
  }

  return done();
}

/** Keeps the last few KiB a process wrote to stderr, for an error message. */
function collectTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4096);
  });

  return () => tail;
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;

  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Children still running when this process exits get SIGTERM (sent synchronously; Xvfb
 * then removes its lock and socket itself), so an X server is not left behind by a caller
 * that forgot stop() or died of an exception. A SIGKILL of this process cannot be caught;
 * the next start then skips the stale display number.
 */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAtExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;

  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) c.kill('SIGTERM');
  });
}

function onlyOnce(run: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;

  return () => (done ??= run());
}
