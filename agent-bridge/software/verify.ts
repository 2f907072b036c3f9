import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Device } from '../../shared/devices.ts';
import {
  licencePayload,
  manifestPayload,
  type LicenceBody,
  type PackageManifest,
} from '../../shared/software.ts';

/** Why the agent will not accept a delivery, in words for staff and technicians. */
export type Verdict = { ok: true } | { ok: false; reason: string };

const UNTRUSTED =
  'It is not signed by the release key this agent trusts, so it was refused and nothing was installed.';

/**
 * Whether `signature` is the raw Ed25519 key `pinnedKey`'s signature of `payload` (both
 * base64): the pinned release key's for deliveries, the agent's own for ledger checkpoints.
 */
export function signatureHolds(
  pinnedKey: string | null,
  payload: string,
  signature: string,
): boolean {
  if (!pinnedKey) return false;
  const raw = Buffer.from(pinnedKey, 'base64');
  const sig = Buffer.from(signature, 'base64');
  if (raw.length !== 32 || sig.length !== 64) return false;

  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    return verify(null, Buffer.from(payload, 'utf8'), key, sig);
  } catch {
    return false;
  }
}

/** Checks a package manifest's signature before anything is downloaded. */
export function checkManifest(
  pinnedKey: string | null,
  manifest: PackageManifest,
  signature: string,
): Verdict {
  return signatureHolds(pinnedKey, manifestPayload(manifest), signature)
    ? { ok: true }
    : { ok: false, reason: `The package ${UNTRUSTED}` };
}

/** Whether the package fits the device: its model must be one the manifest names. */
export function checkModel(manifest: PackageManifest, device: Device): Verdict {
  if (manifest.models.includes(device.model)) return { ok: true };
  return {
    ok: false,
    reason: `${device.name} is a ${device.model}; this package is for ${manifest.models.join(', ')} only.`,
  };
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Checks the downloaded bytes against the size and SHA-256 the signed manifest names. */
export async function checkBytes(path: string, manifest: PackageManifest): Promise<Verdict> {
  const actual = await fileSha256(path);
  if (actual === manifest.sha256) return { ok: true };
  return {
    ok: false,
    reason:
      `The downloaded package does not match its signed SHA-256 (expected ${manifest.sha256.slice(0, 12)}…, ` +
      `got ${actual.slice(0, 12)}…): it was altered or damaged, so it was refused and nothing was installed.`,
  };
}

/** Checks a licence: signature, the device it names, and that it has not expired. */
export function checkLicence(
  pinnedKey: string | null,
  licence: LicenceBody,
  signature: string,
  device: Device,
  now = Date.now(),
): Verdict {
  if (!signatureHolds(pinnedKey, licencePayload(licence), signature)) {
    return { ok: false, reason: `The licence ${UNTRUSTED}` };
  }
  if (licence.deviceSerial !== device.serial || licence.deviceModel !== device.model) {
    return {
      ok: false,
      reason: `The licence is for ${licence.deviceModel} serial ${licence.deviceSerial}, not for ${device.name} (${device.model} serial ${device.serial}).`,
    };
  }
  if (!(Date.parse(licence.expiresAt) > now)) {
    return { ok: false, reason: `The licence expired on ${licence.expiresAt.slice(0, 10)}.` };
  }
  return { ok: true };
}
