import { createHmac, timingSafeEqual } from 'node:crypto';
import { loadSecretFile } from './secret-file.ts';

export const SESSION_COOKIE = 'tether_session';

/** How long a web session lasts, in seconds. */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

/**
 * The HMAC key that signs session cookies (and sign-in tickets), kept as
 * `<dataDir>/secrets/cookie.key`.
 */
export function loadCookieSecret(dataDir: string): Buffer {
  return loadSecretFile(dataDir, 'cookie.key');
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

/**
 * The `Set-Cookie` value for a fresh session; `maxAgeS` 0 clears it. HttpOnly keeps it from
 * scripts, SameSite=Strict from every request another site starts (the console is one
 * origin, so it loses nothing), and `secure` (set when the server is reached over TLS)
 * keeps the browser from ever sending it in clear.
 */
export function sessionCookie(
  value: string,
  options: { maxAgeS?: number; secure: boolean },
): string {
  const maxAgeS = options.maxAgeS ?? SESSION_MAX_AGE_S;
  const secure = options.secure ? '; Secure' : '';
  return `${SESSION_COOKIE}=${value}; Max-Age=${maxAgeS}; Path=/; HttpOnly; SameSite=Strict${secure}`;
}

/**
 * Whether cookies must be `Secure`: when the address people use starts with https://.
 * A TLS-terminating proxy in front of the server is the usual way to get there, so the
 * server's own listener being plain HTTP says nothing.
 */
export function cookieIsSecure(publicUrl: string | undefined): boolean {
  return publicUrl?.toLowerCase().startsWith('https://') ?? false;
}

function mac(secret: Buffer, token: string): string {
  return createHmac('sha256', secret).update(token).digest('base64url');
}
