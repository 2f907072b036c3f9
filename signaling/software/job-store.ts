import { Person } from '../../shared/protocol/common.ts';
import {
  InstallWindow,
  isTerminal,
  LicenceBody,
  type JobItemView,
  type JobView,
  type LicenceView,
  type TargetState,
  type TargetView,
} from '../../shared/software.ts';
import type { Db } from '../storage/database.ts';
import { nowIso } from '../util.ts';
import type { LicencesTable, SoftwareJobsTable, SoftwareTargetsTable } from './tables.ts';

/** Most jobs the console lists, newest first. */
const LIST_LIMIT = 200;

/** What changes about a target when the agent reports a step. */
export interface TargetPatch {
  state: TargetState;
  progress: number | null;
  detail: string | null;
  firmware?: string | null;
}

/** Deliveries (jobs), their per-device targets and licences in the database. */
export class JobStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a job and its targets in one transaction. */
  async create(
    job: SoftwareJobsTable,
    targets: { deviceId: string; deviceName: string }[],
    state: TargetState,
    licence?: LicencesTable,
  ): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      if (licence) await trx.insertInto('licences').values(licence).execute();
      await trx.insertInto('software_jobs').values(job).execute();
      await trx
        .insertInto('software_targets')
        .values(
          targets.map((t) => ({
            job_id: job.id,
            device_id: t.deviceId,
            device_name: t.deviceName,
            state,
            progress: null,
            detail: null,
            firmware: null,
            updated_at: job.created_at,
          })),
        )
        .execute();
    });
  }

  async job(id: string): Promise<SoftwareJobsTable | undefined> {
    return this.#db.selectFrom('software_jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async licence(id: string): Promise<LicencesTable | undefined> {
    return this.#db.selectFrom('licences').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async targets(jobId: string): Promise<SoftwareTargetsTable[]> {
    return this.#db
      .selectFrom('software_targets')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('device_name')
      .execute();
  }

  /** Applies a step to one target, or to every target of the job when `deviceId` is null. */
  async patchTargets(jobId: string, deviceId: string | null, patch: TargetPatch): Promise<void> {
    let query = this.#db
      .updateTable('software_targets')
      .set({
        state: patch.state,
        progress: patch.progress,
        detail: patch.detail,
        ...(patch.firmware !== undefined && { firmware: patch.firmware }),
        updated_at: nowIso(),
      })
      .where('job_id', '=', jobId);
    if (deviceId !== null) query = query.where('device_id', '=', deviceId);
    // A job-wide step never reopens a device that already finished (declined on its own, say).
    else
      query = query.where('state', 'not in', ['declined', 'installed', 'rolled_back', 'refused']);
    await query.execute();
  }

  async setWindow(jobId: string, window: InstallWindow | null): Promise<void> {
    await this.#db
      .updateTable('software_jobs')
      .set({ install_window: window && JSON.stringify(window) })
      .where('id', '=', jobId)
      .execute();
  }

  /** Jobs of the agent with a device not yet finished: to offer again when it connects. */
  async openJobIds(agentId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('software_targets')
      .innerJoin('software_jobs', 'software_jobs.id', 'software_targets.job_id')
      .select(['software_jobs.id', 'software_targets.state'])
      .where('software_jobs.agent_id', '=', agentId)
      .orderBy('software_jobs.created_at')
      .execute();
    const open = rows.filter((row) => !isTerminal(row.state as TargetState));
    return [...new Set(open.map((row) => row.id))];
  }

  async view(jobId: string): Promise<JobView | undefined> {
    const [view] = await this.#views(jobId);
    return view;
  }

  async list(): Promise<JobView[]> {
    return this.#views(null);
  }

  async licences(): Promise<LicenceView[]> {
    const rows = await this.#db
      .selectFrom('licences')
      .innerJoin('software_jobs', 'software_jobs.licence_id', 'licences.id')
      .innerJoin('software_targets', 'software_targets.job_id', 'software_jobs.id')
      .select([
        'licences.id',
        'licences.agent_id',
        'licences.device_id',
        'licences.body',
        'licences.issued_by_name',
        'software_jobs.id as job_id',
        'software_targets.state',
        'software_targets.detail',
      ])
      .orderBy('software_jobs.created_at', 'desc')
      .limit(LIST_LIMIT)
      .execute();

    return rows.map((row) => {
      const body = LicenceBody.parse(JSON.parse(row.body));
      return {
        id: row.id,
        agentId: row.agent_id,
        deviceId: row.device_id,
        deviceSerial: body.deviceSerial,
        deviceModel: body.deviceModel,
        options: body.options,
        expiresAt: body.expiresAt,
        issuedBy: row.issued_by_name,
        issuedAt: body.issuedAt,
        jobId: row.job_id,
        state: row.state as TargetState,
        detail: row.detail,
      };
    });
  }

  /** One job's view, or the latest LIST_LIMIT when `jobId` is null. */
  async #views(jobId: string | null): Promise<JobView[]> {
    const query = this.#jobQuery();
    const jobs = await (
      jobId === null
        ? query.orderBy('software_jobs.created_at', 'desc').limit(LIST_LIMIT)
        : query.where('software_jobs.id', '=', jobId)
    ).execute();
    if (jobs.length === 0) return [];

    const targets = await this.#db
      .selectFrom('software_targets')
      .selectAll()
      .where(
        'job_id',
        'in',
        jobs.map((job) => job.id),
      )
      .orderBy('device_name')
      .execute();

    return jobs.map((job) => ({
      id: job.id,
      agentId: job.agent_id,
      agentName: job.agent_name,
      facility: { id: job.facility_id, name: job.facility_name },
      item: itemView(job),
      createdBy: Person.parse(JSON.parse(job.created_by_person)).displayName,
      createdAt: job.created_at,
      window: job.install_window ? InstallWindow.parse(JSON.parse(job.install_window)) : null,
      targets: targets.filter((t) => t.job_id === job.id).map(targetView),
    }));
  }

  #jobQuery() {
    return this.#db
      .selectFrom('software_jobs')
      .innerJoin('agents', 'agents.id', 'software_jobs.agent_id')
      .innerJoin('facilities', 'facilities.id', 'agents.facility_id')
      .leftJoin('software_packages', 'software_packages.id', 'software_jobs.package_id')
      .leftJoin('licences', 'licences.id', 'software_jobs.licence_id')
      .select([
        'software_jobs.id',
        'software_jobs.agent_id',
        'software_jobs.item_kind',
        'software_jobs.package_id',
        'software_jobs.licence_id',
        'software_jobs.created_by_person',
        'software_jobs.created_at',
        'software_jobs.install_window',
        'agents.name as agent_name',
        'facilities.id as facility_id',
        'facilities.name as facility_name',
        'software_packages.name as package_name',
        'software_packages.version as package_version',
        'software_packages.kind as package_kind',
        'licences.body as licence_body',
      ]);
  }
}

function itemView(job: {
  item_kind: string;
  package_id: string | null;
  licence_id: string | null;
  package_name: string | null;
  package_version: string | null;
  package_kind: string | null;
  licence_body: string | null;
}): JobItemView {
  if (job.item_kind === 'licence' && job.licence_id && job.licence_body) {
    const body = LicenceBody.parse(JSON.parse(job.licence_body));
    return {
      kind: 'licence',
      licenceId: job.licence_id,
      options: body.options,
      expiresAt: body.expiresAt,
    };
  }
  return {
    kind: 'package',
    packageId: job.package_id ?? '',
    name: job.package_name ?? 'Removed package',
    version: job.package_version ?? '',
    packageKind: job.package_kind === 'software' ? 'software' : 'firmware',
  };
}

function targetView(row: SoftwareTargetsTable): TargetView {
  return {
    deviceId: row.device_id,
    deviceName: row.device_name,
    state: row.state as TargetState,
    progress: row.progress,
    detail: row.detail,
    firmware: row.firmware,
    updatedAt: row.updated_at,
  };
}
