import { Secret, TOTP } from 'otpauth';

/**
 * Time-based one-time codes (RFC 6238) as every authenticator app makes them by default:
 * HMAC-SHA-1, 6 digits, a new code every 30 seconds.
 */
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;
/** How many steps either side of now a code may be from, for clocks that drift. */
export const TOTP_DRIFT_STEPS = 1;
/** The name authenticator apps show above the code. */
export const TOTP_ISSUER = 'Tether';

/** A new random secret, base32 (20 bytes: the size RFC 4226 recommends for SHA-1). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The `otpauth://` URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, username: string): string {
  return totpFor(secretBase32, username).toString();
}

export type TotpCheck = { ok: true; step: number } | { ok: false; problem: 'wrong' | 'replayed' };

/**
 * Checks a code against the secret at `now`, within the drift. A code is accepted only
 * for a time step after `lastStep`, the last one accepted for this account, so a code
 * seen over someone's shoulder cannot be used again in its window. The caller records
 * the returned step (atomically: see UserStore.recordTotpStep).
 */
export function checkTotp(
  secretBase32: string,
  code: string,
  lastStep: number | null,
  now = Date.now(),
): TotpCheck {
  const token = code.replace(/\s/g, '');
  if (!/^\d{6}$/.test(token)) return { ok: false, problem: 'wrong' };

  const delta = totpFor(secretBase32).validate({
    token,
    timestamp: now,
    window: TOTP_DRIFT_STEPS,
  });
  if (delta === null) return { ok: false, problem: 'wrong' };

  const step = TOTP.counter({ period: TOTP_PERIOD_S, timestamp: now }) + delta;
  if (lastStep !== null && step <= lastStep) return { ok: false, problem: 'replayed' };

  return { ok: true, step };
}

/** The code an authenticator app shows at `now`; for tests and scripts that sign in. */
export function totpCode(secretBase32: string, now = Date.now()): string {
  return totpFor(secretBase32).generate({ timestamp: now });
}

function totpFor(secretBase32: string, username = ''): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label: username,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_S,
    secret: Secret.fromBase32(secretBase32),
  });
}
