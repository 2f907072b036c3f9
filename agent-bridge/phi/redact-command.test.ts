import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');

function runRedact(
  input: string,
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done, fail) => {
    const child = spawn(TSX, ['agent-bridge/main.ts', 'redact'], {
      cwd: REPO,
      env: { ...process.env, ...env, TETHER_SERVER_URL: 'http://127.0.0.1:9' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
    child.stdin.end(input);
  });
}

describe('agent redact command', () => {
  it('filters stdin to stdout line for line with the local policy, exit 0', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redact-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ phi: { internalHosts: ['stmarys.example'] } }));
    const input = [
      'patient John Smith MRN 00482913 on CVSM 6400 SN 100123456789',
      '',
      'PID|1||00482913^^^H^MR||DOE^JANE||19840307',
      'uplink emr.stmarys.example E-NIBP-0412',
    ].join('\n');

    const result = await runRedact(input, { TETHER_POLICY: policy, TETHER_AGENT_DATA_DIR: dir });

    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      [
        'patient [NAME] MRN [MRN] on CVSM 6400 SN 100123456789',
        '',
        'PID|1||[MRN]||[NAME]||[DOB]',
        'uplink [HOST] E-NIBP-0412',
        '',
      ].join('\n'),
    );
  }, 30_000);

  it('masks a delimited export on stdin by its header, row by row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redact-'));
    const input = 'PatientName;MRN;Room\nJane Doe;00482913;W3-12\nJane Doe;0048\n';

    const result = await runRedact(input, { TETHER_POLICY: join(dir, 'none.json') });

    expect(result.code).toBe(0);
    expect(result.out).toBe('PatientName;MRN;Room\n[NAME];[MRN];W3-12\n[ID]\n');
  }, 30_000);

  it('refuses a policy with a broken pattern, naming it, exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'redact-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ phi: { keepPatterns: ['(unclosed'] } }));

    const result = await runRedact('x\n', { TETHER_POLICY: policy });

    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'phi.keepPatterns.0: "(unclosed" is not a valid regular expression',
    );
    expect(result.out).toBe('');
  }, 30_000);
});
