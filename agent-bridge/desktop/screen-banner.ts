import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log.ts';

const SCRIPT = fileURLToPath(new URL('./banner.py', import.meta.url));
/** Debian's interpreter, which has tkinter when python3-tk is installed. */
const PYTHON = '/usr/bin/python3';

/**
 * The strip on the service computer's own screen that says a technician is viewing or
 * controlling it. Runs a small Tk program on the agent's display while there is something
 * to say. Where that cannot run (no display, no python3-tk) it says so once in the log
 * and stays silent: the consent page still shows the same.
 */
export class ScreenBanner {
  readonly #display: string;
  readonly #log: Logger;
  #child: ChildProcess | null = null;
  #text = '';
  #broken = false;

  constructor(options: { display: string; log: Logger }) {
    this.#display = options.display;
    this.#log = options.log;
  }

  /** Shows `text` on the screen, or hides the banner when it is null. */
  show(text: string | null): void {
    const next = text ?? '';
    if (next === this.#text || this.#broken) return;

    this.#text = next;
    if (!next && !this.#child) return;
    this.#ensureRunning()?.stdin?.write(`${next.replace(/\n/g, ' ')}\n`);
  }

  /** Ends the banner program. Idempotent. */
  close(): void {
    this.#child?.stdin?.end();
    this.#child?.kill();
    this.#child = null;
    this.#text = '';
  }

  #ensureRunning(): ChildProcess | null {
    if (this.#child) return this.#child;
    if (!existsSync(PYTHON)) return this.#giveUp(`${PYTHON} is missing`);

    const child = spawn(PYTHON, [SCRIPT], {
      env: { ...process.env, DISPLAY: this.#display },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + String(chunk)).slice(-400)));
    child.stdin?.on('error', () => undefined);
    child.once('exit', (code) => {
      if (this.#child !== child) return;
      this.#child = null;
      if (code !== 0 && code !== null) this.#giveUp(stderr.trim() || `exit code ${code}`);
    });
    this.#child = child;

    return child;
  }

  #giveUp(reason: string): null {
    this.#broken = true;
    this.#log.info({ reason }, 'no on-screen banner on the service computer');
    return null;
  }
}

/** The banner's words for what sessions are doing on the screen now, or null for none. */
export function bannerText(
  sessions: ReadonlyArray<{
    technician: { displayName: string; organisation: string };
    viewing: boolean;
    controlling: boolean;
  }>,
): string | null {
  const controlling = sessions.find((s) => s.viewing && s.controlling);
  const viewing = controlling ?? sessions.find((s) => s.viewing);
  if (!viewing) return null;

  const who = `${viewing.technician.displayName} (${viewing.technician.organisation})`;
  const what = controlling ? 'is controlling this screen' : 'is viewing this screen';

  return `Remote support: ${who} ${what} through Tether`;
}
