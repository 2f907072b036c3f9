import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../identity.ts';
import { silentLogger } from '../log.ts';
import { FacilityLedger } from './ledger.ts';
import { verifyLedger } from './verify.ts';

let dir: string;
let identity: Identity;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tether-ledger-'));
  identity = await loadOrCreateIdentity(dir, silentLogger());
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ledger(checkpointEvery = 3): FacilityLedger {
  return new FacilityLedger({
    dataDir: dir,
    identity,
    facility: () => 'Demo Facility',
    log: silentLogger(),
    checkpointEvery,
  });
}

function fill(l: FacilityLedger, count: number): void {
  for (let i = 1; i <= count; i += 1) {
    l.append({
      actor: 'staff',
      role: 'staff',
      action: 'consent.approved',
      sessionId: `s-${i}`,
      capability: ['logs.read'],
      outcome: 'approved',
      detail: { technician: 'demo-tech', until: 'the session ends' },
    });
  }
}

const lines = (l: FacilityLedger) => readFileSync(l.file, 'utf8').trim().split('\n');
const rewrite = (l: FacilityLedger, all: string[]) => writeFileSync(l.file, `${all.join('\n')}\n`);

describe('FacilityLedger', () => {
  it('chains every event, signs the head from time to time, and verifies', async () => {
    const l = ledger();
    fill(l, 7);
    l.close();

    // 7 events, checkpoints after the 3rd and 6th, and one more on close.
    expect(lines(l)).toHaveLength(10);
    expect(await verifyLedger(l.file, identity.publicKeyBase64)).toEqual({
      ok: true,
      events: 7,
      checkpoints: 3,
      unsignedAtEnd: 0,
    });
    const first = JSON.parse(lines(l)[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({
      facility: 'Demo Facility',
      agent: identity.agentId,
      actor: 'staff',
      role: 'staff',
      action: 'consent.approved',
      session: 's-1',
      capability: ['logs.read'],
      outcome: 'approved',
    });
  });

  it('goes on with the same chain after a restart', async () => {
    const before = ledger(100);
    fill(before, 2);
    // No close: as after a crash, the last events are unsigned.
    const after = ledger(100);
    fill(after, 2);
    after.close();

    expect(await verifyLedger(after.file)).toMatchObject({ ok: true, events: 4 });
  });

  it('names the first line that was edited, removed or moved', async () => {
    const l = ledger();
    fill(l, 6);
    l.close();
    const original = lines(l);

    rewrite(
      l,
      original.map((line, i) => (i === 4 ? line.replace('"approved"', '"denied"') : line)),
    );
    expect(await verifyLedger(l.file)).toMatchObject({
      ok: false,
      line: 5,
      problem: 'its hash does not match its content',
    });

    rewrite(
      l,
      original.filter((_, i) => i !== 1),
    );
    expect(await verifyLedger(l.file)).toMatchObject({ ok: false, line: 2 });

    rewrite(l, [original[0]!, original[2]!, original[1]!, ...original.slice(3)]);
    expect(await verifyLedger(l.file)).toMatchObject({ ok: false, line: 2 });

    rewrite(l, [...original.slice(0, -1), original.at(-1)!.slice(0, 40)]);
    expect(await verifyLedger(l.file)).toMatchObject({
      ok: false,
      line: original.length,
      problem: 'not JSON (cut short or edited)',
    });
  });

  it('refuses a ledger rewritten and signed with another key', async () => {
    const l = ledger();
    fill(l, 3);
    l.close();
    const otherDir = mkdtempSync(join(tmpdir(), 'tether-ledger-other-'));
    const other = await loadOrCreateIdentity(otherDir, silentLogger());
    rmSync(otherDir, { recursive: true, force: true });

    expect(await verifyLedger(l.file, other.publicKeyBase64)).toMatchObject({
      ok: false,
      line: 4,
      problem: 'signed by another key',
    });
  });
});
