import { TetherError } from '../../shared/errors.ts';
import { lastLine, run } from './run.ts';

/** The clipboard tools the agent knows, in order of preference. */
export type ClipboardTool = 'xclip' | 'xsel';

/** Longest clipboard text carried to the console (the message limit of clipboard.text). */
export const MAX_CLIPBOARD_CHARS = 32_000;

const TIMEOUT_MS = 3000;

const READ_ARGS: Record<ClipboardTool, string[]> = {
  xclip: ['-selection', 'clipboard', '-out'],
  xsel: ['--clipboard', '--output'],
};
const WRITE_ARGS: Record<ClipboardTool, string[]> = {
  xclip: ['-selection', 'clipboard', '-in'],
  xsel: ['--clipboard', '--input'],
};

/**
 * The X clipboard (the CLIPBOARD selection, what Ctrl+C and Ctrl+V use) through xclip or
 * xsel. Writing leaves the tool's own background process serving the text until another
 * program takes the clipboard over: on X the clipboard lives in whoever owns it.
 */
export class X11Clipboard {
  readonly #tool: ClipboardTool;
  readonly #command: string;
  readonly #env: NodeJS.ProcessEnv;

  constructor(tool: ClipboardTool, command: string, env: NodeJS.ProcessEnv) {
    this.#tool = tool;
    this.#command = command;
    this.#env = env;
  }

  /** The clipboard's text, '' when it is empty or holds no text; at most 32,000 characters. */
  async read(): Promise<string> {
    const result = await run(this.#command, READ_ARGS[this.#tool], {
      env: this.#env,
      timeoutMs: TIMEOUT_MS,
      maxOutput: MAX_CLIPBOARD_CHARS,
    });
    if (result.timedOut) throw clipboardError('Reading', 'the clipboard did not answer');
    // Both tools fail when nothing owns the clipboard or it holds no text: that is empty.
    if (result.code !== 0) return '';

    return result.stdout;
  }

  async write(text: string): Promise<void> {
    const result = await run(this.#command, WRITE_ARGS[this.#tool], {
      env: this.#env,
      input: text,
      timeoutMs: TIMEOUT_MS,
    });
    if (result.timedOut) throw clipboardError('Setting', 'the clipboard did not answer');
    if (result.code !== 0) {
      throw clipboardError('Setting', lastLine(result.stderr) || `${this.#tool} failed`);
    }
  }
}

function clipboardError(doing: string, why: string): TetherError {
  return new TetherError('internal', `${doing} the service computer's clipboard failed: ${why}.`);
}
