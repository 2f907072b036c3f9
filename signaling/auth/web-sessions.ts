import type { UserView } from '../../shared/protocol/views.ts';
import type { Db } from '../storage/database.ts';
import { nowIso, randomToken, sha256Hex } from '../util.ts';
import { SESSION_COOKIE, SESSION_MAX_AGE_S, readCookie, signToken, unsignToken } from './cookie.ts';
import { hasTwoFactor, mustSetUpTwoFactor, toUserView } from './users.ts';

/** A signed-in browser, found from its cookie. */
export interface WebSession {
  user: UserView;
  /** SHA-256 of the cookie's token: the session's key in storage and in socket rooms. */
  tokenHash: string;
  /** Whether the account has two-factor sign-in turned on. */
  twoFactor: boolean;
  /**
   * An administrator who has not set up two-factor sign-in yet. Such a session may only
   * set it up (or sign out): `resolve` does not return it, `resolveForSetup` does.
   */
  setupRequired: boolean;
}

/**
 * Server-side web sessions. The browser holds a random token with an HMAC signature; the
 * database holds only the token's hash, its user and its expiry.
 */
export class WebSessionStore {
  readonly #db: Db;
  readonly #secret: Buffer;

  constructor(db: Db, secret: Buffer) {
    this.#db = db;
    this.#secret = secret;
  }

  /** Starts a session for `userId`; returns the cookie value to hand to the browser. */
  async create(userId: string): Promise<string> {
    const token = randomToken();
    const now = Date.now();
    await this.#db
      .insertInto('web_sessions')
      .values({
        token_hash: sha256Hex(token),
        user_id: userId,
        created_at: new Date(now).toISOString(),
        expires_at: new Date(now + SESSION_MAX_AGE_S * 1000).toISOString(),
      })
      .execute();

    return signToken(this.#secret, token);
  }

  /**
   * The session named by a `Cookie` header, or null if absent, forged, expired, revoked,
   * its account disabled, or still to set up two-factor sign-in. Everything but the
   * setup itself uses this, so a half-finished sign-in can do nothing by mistake.
   */
  async resolve(cookieHeader: string | undefined): Promise<WebSession | null> {
    const session = await this.resolveForSetup(cookieHeader);
    return session && !session.setupRequired ? session : null;
  }

  /** Like `resolve`, but also a session that may only set up two-factor sign-in. */
  async resolveForSetup(cookieHeader: string | undefined): Promise<WebSession | null> {
    const tokenHash = this.#tokenHash(cookieHeader);
    if (!tokenHash) return null;

    const row = await this.#db
      .selectFrom('web_sessions')
      .innerJoin('users', 'users.id', 'web_sessions.user_id')
      .selectAll('users')
      .select('web_sessions.expires_at')
      .where('web_sessions.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row || row.disabled_at !== null) return null;
    if (row.expires_at <= nowIso()) {
      await this.revoke(tokenHash);
      return null;
    }

    return {
      user: toUserView(row),
      tokenHash,
      twoFactor: hasTwoFactor(row),
      setupRequired: mustSetUpTwoFactor(row),
    };
  }

  /** Ends the session named by a `Cookie` header; returns its token hash if there was one. */
  async revokeByCookie(cookieHeader: string | undefined): Promise<string | null> {
    const tokenHash = this.#tokenHash(cookieHeader);
    if (tokenHash) await this.revoke(tokenHash);
    return tokenHash;
  }

  async revoke(tokenHash: string): Promise<void> {
    await this.#db.deleteFrom('web_sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Ends every session of one account, e.g. when it is disabled. */
  async revokeAllOf(userId: string): Promise<void> {
    await this.#db.deleteFrom('web_sessions').where('user_id', '=', userId).execute();
  }

  /** Drops sessions past their expiry; run now and then so the table does not grow. */
  async purgeExpired(): Promise<void> {
    await this.#db.deleteFrom('web_sessions').where('expires_at', '<=', nowIso()).execute();
  }

  #tokenHash(cookieHeader: string | undefined): string | null {
    const value = readCookie(cookieHeader, SESSION_COOKIE);
    const token = value ? unsignToken(this.#secret, value) : null;
    return token ? sha256Hex(token) : null;
  }
}
