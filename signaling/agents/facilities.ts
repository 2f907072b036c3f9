import type { FacilityView } from '../../shared/protocol/views.ts';
import type { Db } from '../storage/database.ts';
import { newId, nowIso } from '../util.ts';

/** Facilities: the hospitals and clinics whose agents connect to this server. */
export class FacilityStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The facility called `name`, created if there is none yet. */
  async ensure(name: string): Promise<FacilityView> {
    const existing = await this.#db
      .selectFrom('facilities')
      .select(['id', 'name'])
      .where('name', '=', name)
      .executeTakeFirst();
    if (existing) return existing;

    const facility = { id: newId('fac'), name };
    await this.#db
      .insertInto('facilities')
      .values({ ...facility, created_at: nowIso() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    // Re-read: a concurrent call may have won the insert.
    return this.#db
      .selectFrom('facilities')
      .select(['id', 'name'])
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
  }

  /** Every facility, by name. */
  list(): Promise<FacilityView[]> {
    return this.#db.selectFrom('facilities').select(['id', 'name']).orderBy('name').execute();
  }

  findByName(name: string): Promise<FacilityView | undefined> {
    return this.#db
      .selectFrom('facilities')
      .select(['id', 'name'])
      .where('name', '=', name)
      .executeTakeFirst();
  }

  get(id: string): Promise<FacilityView | undefined> {
    return this.#db
      .selectFrom('facilities')
      .select(['id', 'name'])
      .where('id', '=', id)
      .executeTakeFirst();
  }
}
