import QRCode from 'qrcode';
import { TetherError } from '../../shared/errors.ts';
import type { TwoFactorSetupResponse } from '../../shared/protocol/http.ts';
import type { UserView } from '../../shared/protocol/views.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import type { UsersTable } from '../storage/schema.ts';
import { looksLikeRecoveryCode, type RecoveryCodeStore } from './recovery-codes.ts';
import type { SecretBox } from './secret-box.ts';
import type { SignInThrottle } from './throttle.ts';
import { checkTotp, newTotpSecret, totpUri } from './totp.ts';
import { hasTwoFactor, type UserStore } from './users.ts';

/** How a second factor was given, for the audit ledger. */
export type SecondFactorMethod = 'totp' | 'recovery_code';

export type SecondFactorCheck =
  { ok: true; method: SecondFactorMethod } | { ok: false; problem: 'wrong' | 'replayed' };

/**
 * Two-factor sign-in for one account: setting it up (a new secret, confirmed with a code
 * from the app, then ten recovery codes shown once), checking a code at sign-in, and an
 * administrator's reset. Secrets are kept encrypted (SecretBox), recovery codes as hashes.
 */
export class TwoFactorService {
  readonly #users: UserStore;
  readonly #codes: RecoveryCodeStore;
  readonly #box: SecretBox;
  readonly #throttle: SignInThrottle;
  readonly #audit: AuditLedger;
  readonly #log: Logger;

  constructor(deps: {
    users: UserStore;
    codes: RecoveryCodeStore;
    box: SecretBox;
    throttle: SignInThrottle;
    audit: AuditLedger;
    log: Logger;
  }) {
    this.#users = deps.users;
    this.#codes = deps.codes;
    this.#box = deps.box;
    this.#throttle = deps.throttle;
    this.#audit = deps.audit;
    this.#log = deps.log;
  }

  /**
   * A new secret for the account's authenticator app, kept pending until a code confirms
   * it. Asking again replaces the pending one, so a QR code shown earlier stops working.
   */
  async beginSetup(user: UserView): Promise<TwoFactorSetupResponse> {
    const row = await this.#account(user.id);
    if (hasTwoFactor(row)) {
      throw new TetherError(
        'invalid_state',
        'Two-factor sign-in is already on for this account. An administrator can reset it.',
      );
    }

    const secret = newTotpSecret();
    await this.#users.setPendingTotp(row.id, this.#box.seal(secret, row.id));
    const uri = totpUri(secret, row.username);
    const svg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    this.#log.debug({ userId: row.id }, 'two-factor setup started');

    return {
      secret,
      uri,
      qr: `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`,
    };
  }

  /**
   * Turns two-factor sign-in on once `code` matches the pending secret, and returns the
   * account's new recovery codes: the only time anyone sees them. A wrong code counts in
   * the sign-in throttle like a wrong password.
   */
  async confirmSetup(user: UserView, code: string, ip: string): Promise<string[]> {
    const waitMs = this.#throttle.waitMs(user.username, ip);
    if (waitMs > 0) throw tooMany(waitMs);

    const row = await this.#account(user.id);
    if (hasTwoFactor(row)) {
      throw new TetherError('invalid_state', 'Two-factor sign-in is already on for this account.');
    }
    const secret = row.totp_pending && this.#box.open(row.totp_pending, row.id);
    if (!row.totp_pending || !secret) {
      throw new TetherError(
        'invalid_state',
        'No setup is waiting for a code. Start the setup again to get a new QR code.',
      );
    }

    const check = checkTotp(secret, code, row.totp_last_step);
    if (!check.ok) {
      this.#throttle.recordFailure(user.username, ip);
      await this.#audit.append({
        actor: `user:${row.id}`,
        action: 'account.two_factor_code_refused',
        detail: { ip, problem: check.problem },
      });
      throw new TetherError(
        'invalid_credentials',
        'That code does not match. Check that the app shows the Tether entry you just added, and type the code it shows now.',
      );
    }

    await this.#users.enableTotp(row.id, row.totp_pending, check.step);
    const codes = await this.#codes.replace(row.id);
    this.#throttle.recordSuccess(user.username, ip);
    await this.#audit.append({
      actor: `user:${row.id}`,
      action: 'account.two_factor_enabled',
      detail: { recoveryCodes: codes.length },
    });
    this.#log.info({ userId: row.id }, 'two-factor sign-in turned on');

    return codes;
  }

  /**
   * Checks a code given at sign-in: six digits from the app (each time step accepted once,
   * one step of clock drift either way), or an unused recovery code, which is then spent.
   */
  async verify(row: UsersTable, code: string): Promise<SecondFactorCheck> {
    const typed = code.trim();
    if (/^\d{3} ?\d{3}$/.test(typed)) return this.#verifyTotp(row, typed);
    if (!looksLikeRecoveryCode(typed)) return { ok: false, problem: 'wrong' };

    const spent = await this.#codes.consume(row.id, typed);
    return spent ? { ok: true, method: 'recovery_code' } : { ok: false, problem: 'wrong' };
  }

  /** Turns two-factor sign-in off and forgets its secret and recovery codes. */
  async reset(userId: string): Promise<void> {
    await this.#users.clearTotp(userId);
    await this.#codes.removeAll(userId);
  }

  async #verifyTotp(row: UsersTable, code: string): Promise<SecondFactorCheck> {
    const secret = row.totp_secret && this.#box.open(row.totp_secret, row.id);
    if (!secret) {
      // The key file was replaced or the column changed: nothing the person can fix.
      this.#log.error({ userId: row.id }, 'stored TOTP secret does not decrypt');
      return { ok: false, problem: 'wrong' };
    }

    const check = checkTotp(secret, code, row.totp_last_step);
    if (!check.ok) return check;
    // Another sign-in may have used the same step in between: only one wins.
    const recorded = await this.#users.recordTotpStep(row.id, check.step);
    return recorded ? { ok: true, method: 'totp' } : { ok: false, problem: 'replayed' };
  }

  async #account(userId: string): Promise<UsersTable> {
    const row = await this.#users.findById(userId);
    if (!row) throw new TetherError('unauthenticated', 'You are not signed in.');
    return row;
  }
}

/** The throttle's refusal, with how long to wait in words. */
export function tooMany(waitMs: number): TetherError {
  const seconds = Math.ceil(waitMs / 1000);
  return new TetherError('rate_limited', `Too many attempts. Try again in ${seconds} s.`);
}
