import { TetherError } from '../../shared/errors.ts';
import type { AccountState, CodeSignInRequest, SignInRequest } from '../../shared/protocol/http.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import type { UsersTable } from '../storage/schema.ts';
import { verifyDecoy, verifyPassword } from './passwords.ts';
import type { SignInTickets } from './sign-in-ticket.ts';
import type { SignInThrottle } from './throttle.ts';
import { tooMany, type TwoFactorService } from './two-factor.ts';
import { hasTwoFactor, toAccountState, type UserStore } from './users.ts';
import type { WebSessionStore } from './web-sessions.ts';

const WRONG = 'Wrong user name or password.';
const WRONG_CODE =
  'That code is not right. Type the 6-digit code your authenticator app shows now, or one of your recovery codes.';
const REPLAYED = 'That code was already used. Wait for the next code in your authenticator app.';
const DISABLED = 'This account is disabled. Ask an administrator to enable it.';
const TICKET = 'Signing in took too long. Enter your user name and password again, then the code.';

/** The outcome of the password step. */
export type PasswordOutcome =
  | { step: 'signed_in'; account: AccountState; cookie: string }
  | { step: 'code_required'; ticket: string };

/**
 * Signing in: the password step, then for an account with two-factor sign-in the code
 * step. Both are throttled and audited; only a finished sign-in starts a web session.
 */
export class SignInService {
  readonly #users: UserStore;
  readonly #sessions: WebSessionStore;
  readonly #throttle: SignInThrottle;
  readonly #tickets: SignInTickets;
  readonly #twoFactor: TwoFactorService;
  readonly #audit: AuditLedger;
  readonly #log: Logger;

  constructor(deps: {
    users: UserStore;
    sessions: WebSessionStore;
    throttle: SignInThrottle;
    tickets: SignInTickets;
    twoFactor: TwoFactorService;
    audit: AuditLedger;
    log: Logger;
  }) {
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#throttle = deps.throttle;
    this.#tickets = deps.tickets;
    this.#twoFactor = deps.twoFactor;
    this.#audit = deps.audit;
    this.#log = deps.log;
  }

  /**
   * Checks the password. Without two-factor sign-in that signs in; with it, the answer is
   * a ticket for the code step and no session. Throws `invalid_credentials`,
   * `rate_limited` or, for a disabled account with the right password, `forbidden`.
   */
  async signIn(body: SignInRequest, ip: string): Promise<PasswordOutcome> {
    const { username, password } = body;
    this.#checkThrottle(username, ip);

    const row = await this.#users.findByUsername(username);
    const ok = row
      ? await verifyPassword(row.password_hash, password)
      : await verifyDecoy(password);
    if (!row || !ok) {
      this.#throttle.recordFailure(username, ip);
      await this.#audit.append({
        actor: 'anonymous',
        action: 'signin.failure',
        detail: { username, ip },
      });
      this.#log.warn({ username, ip }, 'sign-in failed');
      throw new TetherError('invalid_credentials', WRONG);
    }
    await this.#refuseDisabled(row, ip);

    // The throttle is not cleared yet: guessing codes after a right password stays slow.
    if (hasTwoFactor(row)) {
      this.#log.debug({ userId: row.id }, 'password accepted; code required');
      return { step: 'code_required', ticket: this.#tickets.issue(row.id) };
    }

    return { step: 'signed_in', ...(await this.#finish(row, ip, { secondFactor: 'none' })) };
  }

  /** The code step: the ticket from the password step and a code from the app or a recovery code. */
  async signInWithCode(
    body: CodeSignInRequest,
    ip: string,
  ): Promise<{ account: AccountState; cookie: string }> {
    const userId = this.#tickets.read(body.ticket);
    const row = userId ? await this.#users.findById(userId) : undefined;
    if (!row) throw new TetherError('unauthenticated', TICKET);
    this.#checkThrottle(row.username, ip);
    await this.#refuseDisabled(row, ip);

    const check = await this.#twoFactor.verify(row, body.code);
    if (!check.ok) {
      this.#throttle.recordFailure(row.username, ip);
      await this.#audit.append({
        actor: `user:${row.id}`,
        action: 'signin.code_failure',
        detail: { ip, problem: check.problem },
      });
      this.#log.warn({ userId: row.id, ip, problem: check.problem }, 'sign-in code refused');
      throw new TetherError(
        'invalid_credentials',
        check.problem === 'replayed' ? REPLAYED : WRONG_CODE,
      );
    }

    return this.#finish(row, ip, { secondFactor: check.method });
  }

  #checkThrottle(username: string, ip: string): void {
    const waitMs = this.#throttle.waitMs(username, ip);
    if (waitMs <= 0) return;

    this.#log.warn({ username, ip }, 'sign-in throttled');
    throw tooMany(waitMs);
  }

  async #refuseDisabled(row: UsersTable, ip: string): Promise<void> {
    if (row.disabled_at === null) return;

    await this.#audit.append({
      actor: `user:${row.id}`,
      action: 'signin.refused',
      detail: { ip, problem: 'account disabled' },
    });
    throw new TetherError('forbidden', DISABLED);
  }

  async #finish(
    row: UsersTable,
    ip: string,
    detail: { secondFactor: string },
  ): Promise<{ account: AccountState; cookie: string }> {
    this.#throttle.recordSuccess(row.username, ip);
    const cookie = await this.#sessions.create(row.id);
    const account = toAccountState(row);
    await this.#audit.append({
      actor: `user:${row.id}`,
      action: 'signin.success',
      detail: { ip, ...detail, setupRequired: account.setupRequired },
    });
    this.#log.info({ userId: row.id, username: row.username }, 'signed in');

    return { account, cookie };
  }
}
