import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { passwordProblem } from '../../shared/access-password.ts';
import { loadConfig } from '../config.ts';
import { UserError } from '../errors.ts';
import { clearAccessPassword, setAccessPassword } from './unattended-verifier.ts';

/** Where the command talks to the person running it. */
export interface Terminal {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable;
}

/**
 * `npm run agent -- access-password`, run by facility IT on the agent's own computer:
 * sets the access password that proves unattended access, asking twice on a terminal
 * (without showing it) or reading one line from stdin otherwise. `--clear` removes it.
 * Only the verifier is written, to the agent's data folder; a running agent uses it from
 * its next attempt on. Prints what it did; throws UserError in words otherwise.
 */
export async function runAccessPasswordCommand(
  args: readonly string[],
  terminal: Terminal = { input: process.stdin, output: process.stdout },
): Promise<void> {
  const { dataDir } = loadConfig();
  const say = (line: string): void => void terminal.output.write(`${line}\n`);
  const extra = args.filter((a) => a !== '--clear');
  if (extra.length > 0) {
    throw new UserError(
      `access-password: unknown ${extra.join(' ')}; use no option to set it, or --clear.`,
    );
  }

  if (args.includes('--clear')) {
    const removed = clearAccessPassword(dataDir);
    say(
      removed
        ? 'The access password is removed: unattended access is refused until one is set again.'
        : 'No access password was set; nothing changed.',
    );
    return;
  }

  const password = await readPassword(terminal);
  const file = await setAccessPassword(dataDir, password);
  say(`The access password is set. The agent keeps only a verifier, in ${file}.`);
  say(
    'Unattended sessions also need access.unattended enabled in the local policy, ' +
      'for the technicians it names.',
  );
}

async function readPassword(terminal: Terminal): Promise<string> {
  if (!terminal.input.isTTY) {
    const line = await readLine(terminal.input);
    return refuseWeak(line ?? '');
  }

  const first = refuseWeak(await ask(terminal, 'New access password: '));
  const second = await ask(terminal, 'The same again: ');
  if (first !== second) throw new UserError('The two passwords differ; nothing changed.');
  return first;
}

function refuseWeak(password: string): string {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(`${problem} Nothing changed.`);
  return password;
}

/**
 * Asks on the terminal without echoing what is typed: the terminal goes into raw mode
 * for the answer, so each key arrives here and is kept, not shown. Ctrl-C or Ctrl-D
 * gives up.
 */
function ask(terminal: Terminal, prompt: string): Promise<string> {
  const { input, output } = terminal;
  output.write(prompt);
  input.setRawMode?.(true);
  input.resume();

  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error: Error | null): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(null);
        if (char === '\u0003' || char === '\u0004') {
          return done(new UserError('No password was entered; nothing changed.'));
        }
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** One line of piped input, or null when there is none. */
function readLine(input: Readable): Promise<string | null> {
  return new Promise((resolve) => {
    const lines = createInterface({ input, terminal: false });
    let answered = false;
    lines.once('line', (line) => {
      answered = true;
      lines.close();
      resolve(line.replace(/\r$/, ''));
    });
    lines.once('close', () => {
      if (!answered) resolve(null);
    });
  });
}
