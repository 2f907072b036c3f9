import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IDENTITY_FILE, loadOrCreateIdentity } from './identity.ts';
import { silentLogger } from './log.ts';

const log = silentLogger();

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'identity-')), 'agent');
}

describe('loadOrCreateIdentity', () => {
  it('keeps the private key in a 0600 file inside a 0700 folder', async () => {
    const dir = freshDir();
    await loadOrCreateIdentity(dir, log);

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('gives the same agent ID and public key after a restart', async () => {
    const dir = freshDir();
    const first = await loadOrCreateIdentity(dir, log);
    const second = await loadOrCreateIdentity(dir, log);

    expect(first.agentId).toMatch(/^ag-[0-9a-f]{32}$/);
    expect(second.agentId).toBe(first.agentId);
    expect(second.publicKeyBase64).toBe(first.publicKeyBase64);
    expect(Buffer.from(first.publicKeyBase64, 'base64')).toHaveLength(32);
  });

  it('signs so that the raw public key verifies it', async () => {
    const identity = await loadOrCreateIdentity(freshDir(), log);
    const signature = identity.sign('hello');
    const key = createPublicKey({
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        x: Buffer.from(identity.publicKeyBase64, 'base64').toString('base64url'),
      },
      format: 'jwk',
    });

    expect(Buffer.from(signature, 'base64')).toHaveLength(64);
    expect(verify(null, Buffer.from('hello'), key, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from('hullo'), key, Buffer.from(signature, 'base64'))).toBe(false);
  });

  it('tightens a key file that others could read', async () => {
    const dir = freshDir();
    await loadOrCreateIdentity(dir, log);
    const file = join(dir, IDENTITY_FILE);
    chmodSync(file, 0o644);

    await loadOrCreateIdentity(dir, log);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file that is not an Ed25519 key, naming it', async () => {
    const dir = freshDir();
    await loadOrCreateIdentity(dir, log);
    writeFileSync(join(dir, IDENTITY_FILE), 'not a key');

    await expect(loadOrCreateIdentity(dir, log)).rejects.toThrow(
      /identity\.key: not a usable Ed25519/,
    );
  });
});
