import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const SESSION_COOKIE = 'tether_session';

/** How long a web session lasts, in seconds. */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

/**
 * Reads the HMAC key that signs session cookies from `<dataDir>/secrets/cookie.key`,
 * making it on first start. Keeping it on disk lets sign-ins survive a restart.
 */
export function loadCookieSecret(dataDir: string): Buffer {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, 'cookie.key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  try {
    writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A key copied in by hand may carry wider permissions; nobody else needs to read it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);

  const secret = readFileSync(file);
  if (secret.length < 32) throw new Error(`${file} is shorter than 32 bytes`);
  return secret;
}

/** `token.signature`, where the signature is HMAC-SHA256 of the token, base64url. */
export function signToken(secret: Buffer, token: string): string {
  return `${token}.${mac(secret, token)}`;
}

/** The token inside a signed cookie value, or null when the signature does not hold. */
export function unsignToken(secret: Buffer, value: string): string | null {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;

  const token = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(mac(secret, token));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;

  return token;
}

/** One cookie's value from a `Cookie` request header. */
export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;

  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

/** The `Set-Cookie` value for a fresh session; `maxAgeS` 0 clears it. */
export function sessionCookie(value: string, maxAgeS = SESSION_MAX_AGE_S): string {
  return `${SESSION_COOKIE}=${value}; Max-Age=${maxAgeS}; Path=/; HttpOnly; SameSite=Lax`;
}

function mac(secret: Buffer, token: string): string {
  return createHmac('sha256', secret).update(token).digest('base64url');
}
