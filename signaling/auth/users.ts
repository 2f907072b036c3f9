import type { Role, UserView } from '../../shared/protocol/views.ts';
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
    const now = nowIso();
    const existing = await this.findByUsername(spec.username);
    const profile = {
      display_name: spec.displayName,
      organisation: spec.organisation,
      role: spec.role,
      updated_at: now,
    };

    if (!existing) {
      const row: UsersTable = {
        id: newId('usr'),
        username: spec.username,
        password_hash: await hashPassword(spec.password),
        created_at: now,
        ...profile,
      };
      await this.#db.insertInto('users').values(row).execute();
      return toUserView(row);
    }

    const same = await verifyPassword(existing.password_hash, spec.password);
    const password_hash = same ? existing.password_hash : await hashPassword(spec.password);
    await this.#db
      .updateTable('users')
      .set({ ...profile, password_hash })
      .where('id', '=', existing.id)
      .execute();
    return toUserView({ ...existing, ...profile, password_hash });
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
