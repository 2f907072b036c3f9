import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..');
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((clean) => clean()));

/** Runs `npm start`'s script (without the build) and returns how it ended. */
function start(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-start-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: REPO,
    env: { ...process.env, TETHER_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });

  return { code: result.status, stderr: result.stderr };
}

async function occupiedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  cleanups.push(() => server.close());

  return (server.address() as { port: number }).port;
}

describe('npm start refuses bad settings in one clear line', () => {
  it('names a port that is taken', async () => {
    const port = await occupiedPort();
    const { code, stderr } = start({ PORT: String(port) });

    expect(code).toBe(1);
    expect(stderr).toContain(`port ${port} is already in use`);
    expect(stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('names a setting that is not a port', () => {
    const { code, stderr } = start({ PORT: 'eighty' });

    expect(code).toBe(1);
    expect(stderr.trim()).toBe('tether: PORT must be a port number from 0 to 65535, not "eighty".');
  });
});
