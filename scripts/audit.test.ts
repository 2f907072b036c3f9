import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FacilityLedger } from '../agent-bridge/audit/ledger.ts';
import { loadOrCreateIdentity } from '../agent-bridge/identity.ts';
import { silentLogger } from '../agent-bridge/log.ts';
import { startSignaling } from '../signaling/server.ts';

const REPO = join(import.meta.dirname, '..');
let dataDir: string;

/** Runs `npm run audit -- verify <path>` and returns how it ended. */
function verify(path: string) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'scripts/audit.ts', 'verify', path],
    { cwd: REPO, encoding: 'utf8', timeout: 30_000 },
  );
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** A server and a facility ledger as `npm start` leaves them, with a few records each. */
async function makeLedgers(): Promise<void> {
  const server = await startSignaling({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' });
  const facility = await server.admin.ensureFacility('Audit Test Facility');
  await server.admin.createEnrolmentToken(facility.id, 60_000);
  await server.admin.createEnrolmentToken(facility.id, 60_000);
  await server.close();

  const agentDir = join(dataDir, 'agent');
  mkdirSync(agentDir, { recursive: true });
  const identity = await loadOrCreateIdentity(agentDir, silentLogger());
  const ledger = new FacilityLedger({
    dataDir: agentDir,
    identity,
    facility: () => 'Audit Test Facility',
    log: silentLogger(),
  });
  for (const action of ['session.requested', 'consent.approved', 'session.ended']) {
    ledger.append({ actor: 'staff', role: 'staff', action, sessionId: 's-1' });
  }
  ledger.close();
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'tether-audit-cmd-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run audit -- verify', () => {
  it('checks the server and the facility ledger in a data folder', async () => {
    await makeLedgers();
    const { code, out } = verify(dataDir);

    expect(code).toBe(0);
    expect(out).toMatch(/Server ledger .*tether\.db: intact, 3 records, 1 signed checkpoints\./);
    expect(out).toMatch(/Facility ledger .*audit\.jsonl: intact, 3 events, 1 signed checkpoints\./);
  });

  it('names the first broken record of each', async () => {
    await makeLedgers();
    const db = new Database(join(dataDir, 'tether.db'));
    db.exec('DROP TRIGGER audit_no_update');
    db.prepare("UPDATE audit SET actor = 'someone else' WHERE id = 1").run();
    db.close();
    const file = join(dataDir, 'agent', 'audit.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('consent.approved', 'consent.denied'));

    const { code, err } = verify(dataDir);
    expect(code).toBe(1);
    expect(err).toContain('broken at record 1: record hash.');
    expect(err).toContain('broken at line 2 (record 2): its hash does not match its content.');
  });

  it('says so when there is nothing to check', () => {
    const { code, err } = verify(join(dataDir, 'nothing-here'));
    expect(code).toBe(2);
    expect(err).toContain('No audit ledger at');
  });
});
