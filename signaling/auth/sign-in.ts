import { TetherError } from '../../shared/errors.ts';
import type { SignInRequest } from '../../shared/protocol/http.ts';
import type { UserView } from '../../shared/protocol/views.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import { verifyDecoy, verifyPassword } from './passwords.ts';
import type { SignInThrottle } from './throttle.ts';
import { toUserView, type UserStore } from './users.ts';
import type { WebSessionStore } from './web-sessions.ts';

const WRONG = 'Wrong user name or password.';

/** Password sign-in: throttle, verify, start a web session, audit either way. */
export class SignInService {
  readonly #users: UserStore;
  readonly #sessions: WebSessionStore;
  readonly #throttle: SignInThrottle;
  readonly #audit: AuditLedger;
  readonly #log: Logger;

  constructor(deps: {
    users: UserStore;
    sessions: WebSessionStore;
    throttle: SignInThrottle;
    audit: AuditLedger;
    log: Logger;
  }) {
    this.#users = deps.users;
    this.#sessions = deps.sessions;
    this.#throttle = deps.throttle;
    this.#audit = deps.audit;
    this.#log = deps.log;
  }

  /** Returns the user and the cookie value, or throws `invalid_credentials`/`rate_limited`. */
  async signIn(body: SignInRequest, ip: string): Promise<{ user: UserView; cookie: string }> {
    const { username, password } = body;
    const waitMs = this.#throttle.waitMs(username, ip);
    if (waitMs > 0) {
      this.#log.warn({ username, ip }, 'sign-in throttled');
      const seconds = Math.ceil(waitMs / 1000);
      throw new TetherError('rate_limited', `Too many attempts. Try again in ${seconds} s.`);
    }

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

    this.#throttle.recordSuccess(username, ip);
    const cookie = await this.#sessions.create(row.id);
    await this.#audit.append({ actor: `user:${row.id}`, action: 'signin.success', detail: { ip } });
    this.#log.info({ userId: row.id, username }, 'signed in');

    return { user: toUserView(row), cookie };
  }
}
