import { TOTP_PERIOD_S, totpCode } from '../auth/totp.ts';

const STEP_MS = TOTP_PERIOD_S * 1000;
const lastStep = new Map<string, number>();

/**
 * A code from an authenticator app for `secret` that the server has not seen yet. The
 * server accepts each time step once and one step of drift, so a test that signs in twice
 * within 30 s takes the next step's code, and waits for the clock past that.
 */
export async function freshTotpCode(secret: string): Promise<string> {
  const now = Date.now();
  const current = Math.floor(now / STEP_MS);
  const step = Math.max(current, (lastStep.get(secret) ?? -1) + 1);
  if (step > current + 1) {
    await new Promise((resolve) => setTimeout(resolve, (current + 1) * STEP_MS - now + 50));
    return freshTotpCode(secret);
  }

  lastStep.set(secret, step);
  return totpCode(secret, step * STEP_MS + STEP_MS / 2);
}

/** Six digits that are no code the server would accept for `secret` right now. */
export function wrongTotpCode(secret: string): string {
  const now = Date.now();
  const valid = new Set([-2, -1, 0, 1, 2].map((k) => totpCode(secret, now + k * STEP_MS)));
  for (let n = 0; ; n += 1) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}
