import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The server's Ed25519 release key: it signs package manifests and licences. Made on the
 * first start as `<dataDir>/secrets/release.key` (PKCS#8 PEM, mode 0600) and kept, since
 * every agent pins its public half on first contact and refuses anything signed by
 * another key afterwards. Losing the file means re-pinning every agent by hand.
 */
export interface ReleaseKey {
  /** Base64 of the raw 32-byte public key, as the agent's `hello` carries it. */
  publicKeyBase64: string;
  /** SHA-256 of the raw public key, first 16 bytes as colon-separated hex pairs of pairs. */
  fingerprint: string;
  /** Signs UTF-8 `payload`; the 64-byte signature in standard base64. */
  sign(payload: string): string;
}

/** Where the release key of the server with this data folder is kept. */
export function releaseKeyFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'release.key');
}

export function loadReleaseKey(dataDir: string): ReleaseKey {
  const file = releaseKeyFile(dataDir);
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  try {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A key copied in by hand may carry wider permissions; nobody else needs to read it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);

  return releaseKeyFrom(createPrivateKey(readFileSync(file)));
}

/** A ReleaseKey around an Ed25519 private key (also for tests that need a second key). */
export function releaseKeyFrom(privateKey: KeyObject): ReleaseKey {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  const raw = Buffer.from(jwk.x ?? '', 'base64url');
  if (raw.length !== 32) throw new Error('the release key is not an Ed25519 key');

  return {
    publicKeyBase64: raw.toString('base64'),
    fingerprint: fingerprintOf(raw),
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64'),
  };
}

/** `ab12:cd34:…`: 16 bytes of SHA-256 of the raw key, what people compare by eye. */
export function fingerprintOf(rawPublicKey: Buffer): string {
  const hex = createHash('sha256').update(rawPublicKey).digest('hex').slice(0, 32);
  return hex.match(/.{4}/g)?.join(':') ?? hex;
}
