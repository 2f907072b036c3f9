import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../log.ts';
import type { PointerOrKey } from './types.ts';
import { comboKeys, keysymFor } from './x11-keys.ts';

/** Where a display sits on the X screen, in pixels. */
export interface Geometry {
  x: number;
  y: number;
  width: number;
  height: number;
}

const BUTTONS = { left: 1, middle: 2, right: 3 } as const;

/**
 * xdotool script lines for one message, or [] when there is nothing to do. Pointer
 * fractions map onto the display's pixels, last pixel included.
 */
export function xdotoolCommands(message: PointerOrKey, at: Geometry, log?: Logger): string[] {
  switch (message.type) {
    case 'pointer.move':
      return [moveTo(message.x, message.y, at)];
    case 'pointer.button': {
      const action = message.down ? 'mousedown' : 'mouseup';
      return [moveTo(message.x, message.y, at), `${action} ${BUTTONS[message.button]}`];
    }
    case 'pointer.wheel':
      return [
        moveTo(message.x, message.y, at),
        ...wheel(message.dy, 5, 4),
        ...wheel(message.dx, 7, 6),
      ];
    case 'key': {
      const keysym = keysymFor(message.key, message.code);
      if (!keysym) {
        log?.debug({ key: message.key.length === 1 ? '(character)' : message.key }, 'key ignored');
        return [];
      }
      return [`${message.down ? 'keydown' : 'keyup'} ${keysym}`];
    }
    case 'key.combo':
      return [`key ${comboKeys(message.combo)}`];
  }
}

function moveTo(fx: number, fy: number, at: Geometry): string {
  const x = at.x + Math.round(fx * (at.width - 1));
  const y = at.y + Math.round(fy * (at.height - 1));
  return `mousemove ${x} ${y}`;
}

/** X has no wheel events: each notch is a click of button 4/5 (vertical) or 6/7. */
function wheel(notches: number, positive: number, negative: number): string[] {
  if (notches === 0) return [];
  return [`click --repeat ${Math.abs(notches)} ${notches > 0 ? positive : negative}`];
}

export interface XdotoolOptions {
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** Path of xdotool; found on PATH by the probe. */
  command?: string;
}

/**
 * One long-lived `xdotool -` process reading commands from its stdin, so that a pointer
 * moving at 60 events a second does not start 60 processes. xdotool runs each script
 * line as it arrives and carries on past a line it cannot run. Lines written in one tick
 * go out together; of several moves in a row only the last is sent, and while the pipe
 * is full moves keep collapsing, so a slow X server sees fewer moves rather than a lag.
 * A process that died is started again on the next command.
 */
export class XdotoolInput {
  readonly #options: XdotoolOptions;
  readonly #log: Logger;
  #child: ChildProcessWithoutNullStreams | undefined;
  #queue: string[] = [];
  #flushScheduled = false;
  #waitingForDrain = false;
  #closed = false;

  constructor(options: XdotoolOptions) {
    this.#options = options;
    this.#log = options.log;
  }

  /** Queues script lines; they are written on the next tick. */
  send(lines: readonly string[]): void {
    if (this.#closed) return;
    for (const line of lines) {
      const last = this.#queue.at(-1);
      if (line.startsWith('mousemove ') && last?.startsWith('mousemove ')) {
        this.#queue[this.#queue.length - 1] = line;
      } else {
        this.#queue.push(line);
      }
    }
    if (this.#flushScheduled || this.#waitingForDrain) return;

    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Ends the xdotool process. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#queue = [];
    const child = this.#child;
    this.#child = undefined;
    if (!child) return;
    child.stdin.end();
    // xdotool ends at end of input; a hung X connection must not keep it alive.
    setTimeout(() => child.kill('SIGKILL'), 1000).unref();
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed || this.#queue.length === 0) return;

    const child = this.#process();
    const text = `${this.#queue.join('\n')}\n`;
    this.#queue = [];
    if (child.stdin.write(text)) return;

    this.#waitingForDrain = true;
    child.stdin.once('drain', () => {
      this.#waitingForDrain = false;
      this.#flush();
    });
  }

  #process(): ChildProcessWithoutNullStreams {
    if (this.#child) return this.#child;

    const child = spawn(this.#options.command ?? 'xdotool', ['-'], {
      env: this.#options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let lastError = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (lastError = chunk.trim().slice(-300)));
    child.stdin.on('error', (error) => this.#log.debug({ error: error.message }, 'xdotool stdin'));
    child.once('error', (error) => this.#log.warn({ error: error.message }, 'xdotool failed'));
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = undefined;
      this.#waitingForDrain = false;
      if (!this.#closed) this.#log.warn({ code, signal, lastError }, 'xdotool exited');
    });
    this.#child = child;
    this.#log.debug({ pid: child.pid }, 'xdotool started');

    return child;
  }
}
