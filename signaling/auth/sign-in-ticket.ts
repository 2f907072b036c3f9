import { createHmac } from 'node:crypto';
import { signToken, unsignToken } from './cookie.ts';

/** How long a person has to type the code after the password was right. */
export const TICKET_TTL_MS = 5 * 60_000;

/**
 * Tickets that say "this person got the password right a moment ago": what the code step
 * of signing in needs, and nothing more. A ticket is no session (no cookie, no socket, no
 * API), so the password alone gives an account with two-factor sign-in nothing. It is
 * signed with a key derived from the cookie key, so it cannot pass for a cookie or back.
 * Guessing codes with one ticket is slowed by the same throttle as passwords.
 */
export class SignInTickets {
  readonly #key: Buffer;
  readonly #now: () => number;

  constructor(cookieSecret: Buffer, now: () => number = Date.now) {
    this.#key = createHmac('sha256', cookieSecret).update('tether sign-in tickets').digest();
    this.#now = now;
  }

  issue(userId: string): string {
    const body = JSON.stringify({ u: userId, e: this.#now() + TICKET_TTL_MS });
    return signToken(this.#key, Buffer.from(body, 'utf8').toString('base64url'));
  }

  /** The user the ticket was issued for, or null when forged or too old. */
  read(ticket: string): string | null {
    const body = unsignToken(this.#key, ticket);
    if (!body) return null;

    try {
      const value = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      if (typeof value !== 'object' || value === null) return null;
      const { u, e } = value as { u?: unknown; e?: unknown };
      if (typeof u !== 'string' || typeof e !== 'number' || e <= this.#now()) return null;
      return u;
    } catch {
      return null;
    }
  }
}
