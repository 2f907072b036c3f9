import { mkdtempSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../storage/database.ts';
import { canonicalJson } from '../../shared/audit/canonical-json.ts';
import { releaseKeyFrom } from '../software/release-key.ts';
import { AuditCheckpoints } from './checkpoints.ts';
import { AuditLedger, GENESIS_HASH } from './ledger.ts';

describe('audit ledger', () => {
  let dir: string;
  let db: Db;
  let ledger: AuditLedger;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tether-audit-'));
    db = await openDatabase(dir, pino({ level: 'silent' }));
    ledger = new AuditLedger(db);
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('chains each record to the one before and verifies', async () => {
    const first = await ledger.append({
      actor: 'system',
      action: 'test.one',
      detail: { b: 1, a: 2 },
    });
    const second = await ledger.append({ actor: 'user:u1', action: 'test.two', sessionId: 's1' });

    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(second.prevHash).toBe(first.hash);
    expect(await ledger.list('s1')).toEqual([second]);
    expect(await ledger.verify()).toEqual({ ok: true, count: 2, checkpoints: 0 });
  });

  it('keeps the chain straight under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => ledger.append({ actor: 'system', action: `n${i}` })),
    );
    expect(await ledger.verify()).toEqual({ ok: true, count: 20, checkpoints: 0 });
  });

  it('refuses UPDATE and DELETE on the audit table', async () => {
    await ledger.append({ actor: 'system', action: 'test' });

    await expect(db.updateTable('audit').set({ actor: 'someone else' }).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom('audit').execute()).rejects.toThrow(/append-only/);
  });

  it('finds a record edited behind its back', async () => {
    await ledger.append({ actor: 'system', action: 'one' });
    const victim = await ledger.append({ actor: 'system', action: 'two' });
    await ledger.append({ actor: 'system', action: 'three' });

    // Only someone with direct file access can do this: drop the guard, then edit.
    await sql`DROP TRIGGER audit_no_update`.execute(db);
    await db.updateTable('audit').set({ action: 'edited' }).where('id', '=', victim.id).execute();

    expect(await ledger.verify()).toMatchObject({ ok: false, brokenAt: victim.id });
  });
});

describe('audit checkpoints', () => {
  let dir: string;
  let db: Db;
  let ledger: AuditLedger;
  const key = releaseKeyFrom(generateKeyPairSync('ed25519').privateKey);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tether-audit-'));
    db = await openDatabase(dir, pino({ level: 'silent' }));
    ledger = new AuditLedger(db);
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs the head once per change and verifies against the server key', async () => {
    const checkpoints = new AuditCheckpoints(ledger, key, pino({ level: 'silent' }));
    await ledger.append({ actor: 'system', action: 'one' });
    await checkpoints.sign();
    await checkpoints.sign();
    await ledger.append({ actor: 'system', action: 'two' });
    await checkpoints.stop();

    const actions = (await ledger.list()).map((r) => r.action);
    expect(actions).toEqual(['one', 'audit.checkpoint', 'two', 'audit.checkpoint']);
    expect(await ledger.verify(key.publicKeyBase64)).toEqual({
      ok: true,
      count: 4,
      checkpoints: 2,
    });
  });

  it('refuses a chain whose hashes were all recomputed by someone without the key', async () => {
    const forger = releaseKeyFrom(generateKeyPairSync('ed25519').privateKey);
    await ledger.append({ actor: 'system', action: 'one' });
    await new AuditCheckpoints(ledger, forger, pino({ level: 'silent' })).stop();

    expect(await ledger.verify(key.publicKeyBase64)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problem: 'a checkpoint signed by another key',
    });
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[{"y":2,"z":1}]},"b":1}',
    );
  });
});
