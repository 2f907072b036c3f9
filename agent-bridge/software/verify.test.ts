import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Device } from '../../shared/devices.ts';
import {
  licencePayload,
  manifestPayload,
  type LicenceBody,
  type PackageManifest,
} from '../../shared/software.ts';
import { releaseKeyFrom } from '../../signaling/software/release-key.ts';
import { checkBytes, checkLicence, checkManifest, checkModel } from './verify.ts';

const release = releaseKeyFrom(generateKeyPairSync('ed25519').privateKey);
const other = releaseKeyFrom(generateKeyPairSync('ed25519').privateKey);
const device: Device = {
  id: 'dev-1',
  name: 'Ward 3 monitor',
  kind: 'vital-signs-monitor',
  manufacturer: 'Welch Allyn',
  model: 'CVSM 6400',
  serial: 'SN-1',
  firmware: '2.43.02',
  online: true,
  lastSeen: null,
};
const bytes = Buffer.from('firmware image bytes');
const manifest: PackageManifest = {
  packageId: 'pkg-1',
  name: 'CVSM firmware',
  version: '2.50.00',
  kind: 'firmware',
  models: ['CVSM 6400'],
  size: bytes.length,
  sha256: '6a3b5c6fdd3d62ab0c5e7f0f1de4c6e1ea2d8a9e54b1c9f4f0b0e0c7a0c1d2e3',
  notes: '',
  createdAt: '2025-01-01T00:00:00.000Z',
};
const licence: LicenceBody = {
  licenceId: 'lic-1',
  deviceSerial: 'SN-1',
  deviceModel: 'CVSM 6400',
  options: ['ECG'],
  expiresAt: '2099-01-01T00:00:00.000Z',
  issuedAt: '2025-01-01T00:00:00.000Z',
};

describe('delivery verification on the agent', () => {
  it('accepts a manifest signed by the pinned key and refuses another key or an edit', () => {
    const signature = release.sign(manifestPayload(manifest));
    expect(checkManifest(release.publicKeyBase64, manifest, signature)).toEqual({ ok: true });

    const foreign = other.sign(manifestPayload(manifest));
    const refused = checkManifest(release.publicKeyBase64, manifest, foreign);
    expect(refused).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not signed by the release key/),
    });

    const edited = { ...manifest, version: '9.99.99' };
    expect(checkManifest(release.publicKeyBase64, edited, signature).ok).toBe(false);
    expect(checkManifest(null, manifest, signature).ok).toBe(false);
  });

  it('refuses bytes that do not match the signed SHA-256, and another model', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'verify-')), 'image');
    writeFileSync(path, bytes);
    const { createHash } = await import('node:crypto');
    const good = { ...manifest, sha256: createHash('sha256').update(bytes).digest('hex') };
    expect(await checkBytes(path, good)).toEqual({ ok: true });

    writeFileSync(path, Buffer.from('firmware image bytez'));
    expect(await checkBytes(path, good)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/altered or damaged/),
    });
    expect(checkModel(good, { ...device, model: 'Spot 4400' }).ok).toBe(false);
  });

  it('checks a licence: signature, serial and model, expiry', () => {
    const signature = release.sign(licencePayload(licence));
    const key = release.publicKeyBase64;
    expect(checkLicence(key, licence, signature, device)).toEqual({ ok: true });
    expect(checkLicence(key, licence, other.sign(licencePayload(licence)), device).ok).toBe(false);
    expect(checkLicence(key, licence, signature, { ...device, serial: 'SN-2' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not for Ward 3 monitor/),
    });
    const later = Date.parse('2100-01-01T00:00:00.000Z');
    expect(checkLicence(key, licence, signature, device, later)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/expired/),
    });
  });
});
