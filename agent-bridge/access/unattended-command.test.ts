import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runAccessPasswordCommand } from './unattended-command.ts';
import { VERIFIER_FILE } from './unattended-verifier.ts';

/** Runs the command with `typed` piped in, as from a script; returns what it printed. */
async function run(args: string[], typed: string): Promise<string> {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  input.end(typed);
  await runAccessPasswordCommand(args, { input, output });
  return printed;
}

describe('npm run agent -- access-password', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'access-password-'));
  vi.stubEnv('TETHER_AGENT_DATA_DIR', dataDir);
  afterAll(() => vi.unstubAllEnvs());

  it('sets the password from one piped line, refuses a short one, and clears it', async () => {
    await expect(run([], 'short one\n')).rejects.toThrow(
      'The access password must be at least 12 characters long. Nothing changed.',
    );
    expect(existsSync(join(dataDir, VERIFIER_FILE))).toBe(false);

    expect(await run([], 'a long enough password\n')).toContain('The access password is set.');
    expect(existsSync(join(dataDir, VERIFIER_FILE))).toBe(true);

    expect(await run(['--clear'], '')).toContain('The access password is removed');
    expect(await run(['--clear'], '')).toContain('No access password was set; nothing changed.');
    await expect(run(['--show'], '')).rejects.toThrow('access-password: unknown --show');
  }, 20_000);
});
