import { randomBytes } from 'node:crypto';
import { TetherError } from '../../shared/errors.ts';
import type { Role, UserView } from '../../shared/protocol/views.ts';
import type { AccountView } from '../../shared/protocol/admin.ts';
import type { AccountState } from '../../shared/protocol/http.ts';
import type { Db } from '../storage/database.ts';
import type { UsersTable } from '../storage/schema.ts';
import { newId, nowIso } from '../util.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

/** What an administrator supplies to create or refresh an account. */
export interface UserSpec {
  username: string;
  password: string;
  displayName: string;
  organisation: string;
  role: Role;
}

/** Accounts: technicians, experts and administrators who sign in to the console. */
export class UserStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Creates the account, or brings an existing one in line with `spec`. The password is
   * re-hashed only when it changed, so calling this on every start costs one verify.
   */
  async ensure(spec: UserSpec): Promise<UserView> {
    const existing = await this.findByUsername(spec.username);
    if (!existing) return toUserView(await this.#insert(spec));

    const profile = profileOf(spec);
    const same = await verifyPassword(existing.password_hash, spec.password);
    const password_hash = same ? existing.password_hash : await hashPassword(spec.password);
    await this.#db
      .updateTable('users')
      .set({ ...profile, password_hash })
      .where('id', '=', existing.id)
      .execute();
    return toUserView({ ...existing, ...profile, password_hash });
  }

  /**
   * A new account with a generated first password, returned once; only its hash is kept.
   * Refuses a user name that is taken, in words.
   */
  async create(spec: Omit<UserSpec, 'password'>): Promise<{ row: UsersTable; password: string }> {
    if (await this.findByUsername(spec.username)) {
      throw new TetherError('invalid_state', `The user name ${spec.username} is already taken.`);
    }

    const password = newPassword();
    const row = await this.#insert({ ...spec, password });
    return { row, password };
  }

  findByUsername(username: string): Promise<UsersTable | undefined> {
    return this.#db
      .selectFrom('users')
      .selectAll()
      .where('username', '=', username)
      .executeTakeFirst();
  }

  findById(id: string): Promise<UsersTable | undefined> {
    return this.#db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Every account, by user name. */
  list(): Promise<UsersTable[]> {
    return this.#db.selectFrom('users').selectAll().orderBy('username').execute();
  }

  /** Disables (a time) or enables (null) the account. */
  async setDisabled(id: string, disabledAt: string | null): Promise<void> {
    await this.#db
      .updateTable('users')
      .set({ disabled_at: disabledAt, updated_at: nowIso() })
      .where('id', '=', id)
      .execute();
  }

  /** Keeps an encrypted secret handed out for setup until a code confirms it. */
  async setPendingTotp(id: string, sealed: string): Promise<void> {
    await this.#db
      .updateTable('users')
      .set({ totp_pending: sealed })
      .where('id', '=', id)
      .execute();
  }

  /** Turns two-factor sign-in on with the confirmed secret, recording the code's step. */
  async enableTotp(id: string, sealed: string, step: number): Promise<void> {
    const now = nowIso();
    await this.#db
      .updateTable('users')
      .set({
        totp_secret: sealed,
        totp_pending: null,
        totp_enabled_at: now,
        totp_last_step: step,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
  }

  /** Turns two-factor sign-in off and forgets every secret, pending or not. */
  async clearTotp(id: string): Promise<void> {
    await this.#db
      .updateTable('users')
      .set({
        totp_secret: null,
        totp_pending: null,
        totp_enabled_at: null,
        totp_last_step: null,
        updated_at: nowIso(),
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Records `step` as the last accepted TOTP step, only if it is later than the one kept:
   * one conditional update, so two sign-ins racing with the same code cannot both win.
   */
  async recordTotpStep(id: string, step: number): Promise<boolean> {
    const result = await this.#db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async #insert(spec: UserSpec): Promise<UsersTable> {
    const now = nowIso();
    const row: UsersTable = {
      id: newId('usr'),
      username: spec.username,
      password_hash: await hashPassword(spec.password),
      created_at: now,
      disabled_at: null,
      totp_secret: null,
      totp_pending: null,
      totp_enabled_at: null,
      totp_last_step: null,
      ...profileOf(spec),
      updated_at: now,
    };
    await this.#db.insertInto('users').values(row).execute();
    return row;
  }
}

/** Whether the account has two-factor sign-in turned on. */
export function hasTwoFactor(row: UsersTable): boolean {
  return row.totp_secret !== null && row.totp_enabled_at !== null;
}

/** Administrators must use two-factor sign-in; until they set it up they can do nothing else. */
export function mustSetUpTwoFactor(row: UsersTable): boolean {
  return row.role === 'admin' && !hasTwoFactor(row);
}

/** The account as the console may see it: no hash, no timestamps. */
export function toUserView(row: UsersTable): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    organisation: row.organisation,
    role: row.role as Role,
  };
}

/** Who is signed in and where they stand with two-factor sign-in, as the console sees it. */
export function toAccountState(row: UsersTable): AccountState {
  return {
    user: toUserView(row),
    twoFactor: hasTwoFactor(row),
    setupRequired: mustSetUpTwoFactor(row),
  };
}

/** The account as an administrator sees it. */
export function toAccountView(row: UsersTable): AccountView {
  return {
    ...toUserView(row),
    disabled: row.disabled_at !== null,
    twoFactor: hasTwoFactor(row),
    createdAt: row.created_at,
  };
}

function profileOf(spec: Omit<UserSpec, 'password'>) {
  return {
    display_name: spec.displayName,
    organisation: spec.organisation,
    role: spec.role,
    updated_at: nowIso(),
  };
}

/** 16 characters of base64url: about 96 bits, typed once and then kept by the person. */
function newPassword(): string {
  return randomBytes(12).toString('base64url');
}
