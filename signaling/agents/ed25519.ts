import { createPublicKey, verify } from 'node:crypto';

/** The raw 32-byte key inside a base64 (or base64url) string, or null if it is not one. */
export function decodeRawPublicKey(encoded: string): Buffer | null {
  const raw = Buffer.from(encoded, 'base64');
  return raw.length === 32 ? raw : null;
}

/** Whether `signature` (base64 or base64url of 64 bytes) is `rawKey`'s Ed25519 signature of `message`. */
export function verifyEd25519(rawKey: Buffer, message: string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;

  try {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: rawKey.toString('base64url') },
      format: 'jwk',
    });
    return verify(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}
