import { TetherError } from '../../shared/errors.ts';
import type {
  AccountView,
  CreateAccountRequest,
  CreateAccountResponse,
} from '../../shared/protocol/admin.ts';
import type { UserView } from '../../shared/protocol/views.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { TwoFactorService } from '../auth/two-factor.ts';
import { toAccountView, type UserStore } from '../auth/users.ts';
import type { Logger } from '../log.ts';
import type { UsersTable } from '../storage/schema.ts';
import { nowIso } from '../util.ts';

/**
 * Ends everything an account has open, at once: its web sessions, its console sockets
 * and its running support sessions, each with `why` for the people on the other side.
 */
export type SignOutEverywhere = (userId: string, why: string) => Promise<void>;

/**
 * What an administrator does to accounts: list, create with a generated first password,
 * disable and enable, and reset two-factor sign-in. Every change is audited with the
 * administrator as actor.
 */
export class AccountAdmin {
  readonly #users: UserStore;
  readonly #twoFactor: TwoFactorService;
  readonly #signOutEverywhere: SignOutEverywhere;
  readonly #audit: AuditLedger;
  readonly #log: Logger;

  constructor(deps: {
    users: UserStore;
    twoFactor: TwoFactorService;
    signOutEverywhere: SignOutEverywhere;
    audit: AuditLedger;
    log: Logger;
  }) {
    this.#users = deps.users;
    this.#twoFactor = deps.twoFactor;
    this.#signOutEverywhere = deps.signOutEverywhere;
    this.#audit = deps.audit;
    this.#log = deps.log;
  }

  async list(): Promise<AccountView[]> {
    return (await this.#users.list()).map(toAccountView);
  }

  /** A new account; its first password is in the answer and nowhere else. */
  async create(admin: UserView, request: CreateAccountRequest): Promise<CreateAccountResponse> {
    const { row, password } = await this.#users.create(request);
    await this.#record(admin, 'account.created', row, { role: row.role });

    return { account: toAccountView(row), password };
  }

  /** Disables the account and ends, at once, everything it has open. */
  async disable(admin: UserView, userId: string): Promise<AccountView> {
    const row = await this.#other(admin, userId, 'disable');
    if (row.disabled_at === null) {
      await this.#users.setDisabled(row.id, nowIso());
      await this.#signOutEverywhere(row.id, 'An administrator disabled the account.');
      await this.#record(admin, 'account.disabled', row);
    }
    return this.#view(row.id);
  }

  async enable(admin: UserView, userId: string): Promise<AccountView> {
    const row = await this.#found(userId);
    if (row.disabled_at !== null) {
      await this.#users.setDisabled(row.id, null);
      await this.#record(admin, 'account.enabled', row);
    }
    return this.#view(row.id);
  }

  /**
   * Turns two-factor sign-in off (a lost phone) and signs the account out, so its next
   * sign-in is with the password alone, or, for an administrator, straight into setup.
   */
  async resetTwoFactor(admin: UserView, userId: string): Promise<AccountView> {
    const row = await this.#other(admin, userId, 'reset two-factor sign-in for');
    await this.#twoFactor.reset(row.id);
    await this.#signOutEverywhere(row.id, 'An administrator reset two-factor sign-in.');
    await this.#record(admin, 'account.two_factor_reset', row);

    return this.#view(row.id);
  }

  async #record(
    admin: UserView,
    action: string,
    row: UsersTable,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    await this.#audit.append({
      actor: `user:${admin.id}`,
      action,
      detail: { userId: row.id, username: row.username, ...extra },
    });
    this.#log.info({ by: admin.id, userId: row.id, action }, 'account changed');
  }

  /** The account, which must not be the administrator's own: nobody locks themselves out. */
  async #other(admin: UserView, userId: string, verb: string): Promise<UsersTable> {
    if (userId === admin.id) {
      throw new TetherError(
        'invalid_state',
        `You cannot ${verb} your own account. Ask another administrator.`,
      );
    }
    return this.#found(userId);
  }

  async #found(userId: string): Promise<UsersTable> {
    const row = await this.#users.findById(userId);
    if (!row) throw new TetherError('not_found', 'There is no such account.');
    return row;
  }

  async #view(userId: string): Promise<AccountView> {
    return toAccountView(await this.#found(userId));
  }
}
