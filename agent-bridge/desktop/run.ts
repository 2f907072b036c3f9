import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** What a finished helper program left behind. */
export interface RunResult {
  /** Exit code; null when a signal (or our timeout) ended it. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
  /** Most characters kept of stdout and of stderr each. */
  maxOutput?: number;
}

/**
 * Runs a short helper program (xdpyinfo, xclip, …) without a shell and collects its
 * output. Never rejects for a non-zero exit or a timeout: callers turn the result into
 * words. It resolves shortly after the program exits even when its pipes stay open,
 * because xclip leaves a child behind that holds them while it serves the selection.
 */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const maxOutput = options.maxOutput ?? 256 * 1024;

  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout = (stdout + chunk).slice(0, maxOutput)));
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(0, maxOutput)));
    child.stdin.on('error', () => undefined);

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 5000);
    let grace: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(grace);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, stdout, stderr, timedOut });
    };
    child.once('error', (error) => {
      stderr = error.message;
      finish(null);
    });
    // Normally the pipes close right after the exit; a grandchild may hold them open.
    child.once('close', (code) => finish(code));
    child.once('exit', (code) => (grace = setTimeout(() => finish(code), 100)));

    child.stdin.end(options.input ?? '');
  });
}

/** The full path of `name` on the PATH of `env`, or null when it is not installed. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; try the next folder.
    }
  }

  return null;
}

/** The last non-empty line of a program's error output, shortened for a status message. */
export function lastLine(text: string, max = 200): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

  return (lines.at(-1) ?? '').slice(0, max);
}
