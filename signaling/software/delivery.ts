import { open } from 'node:fs/promises';
import type { Device } from '../../shared/devices.ts';
import { TetherError } from '../../shared/errors.ts';
import type { ServerToAgent } from '../../shared/protocol/agent.ts';
import type { ServerToConsole } from '../../shared/protocol/console.ts';
import type { Person } from '../../shared/protocol/common.ts';
import type { AgentView, UserView } from '../../shared/protocol/views.ts';
import {
  CHUNK_BYTES,
  isTerminal,
  licencePayload,
  type ChunkRequest,
  type CreateJobsRequest,
  type IssueLicenceRequest,
  type IssueLicenceResponse,
  type JobView,
  type LicenceBody,
  type OfferItem,
  type SoftwareOffer,
  type SoftwareReport,
  type TargetState,
} from '../../shared/software.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { Logger } from '../log.ts';
import { newId, nowIso } from '../util.ts';
import type { JobStore } from './job-store.ts';
import type { PackageStore } from './package-store.ts';
import type { ReleaseKey } from './release-key.ts';

export interface DeliveryDeps {
  packages: PackageStore;
  jobs: JobStore;
  directory: AgentDirectory;
  audit: AuditLedger;
  releaseKey: ReleaseKey;
  log: Logger;
  /** Whether the agent has a live socket now. */
  isOnline(agentId: string): boolean;
  /** The devices an offline agent last reported (its service data), to target it anyway. */
  reportedDevices(agentId: string): Promise<Device[]>;
  /** Sends to the agent's live socket, if it has one on this node. */
  toAgent(agentId: string, message: ServerToAgent): void;
  /** Sends to every console. */
  toConsoles(message: ServerToConsole): void;
}

/**
 * Software and licence delivery on the server: creates jobs for chosen devices or a whole
 * facility, offers them to agents (now, or when an offline agent comes back), serves
 * package bytes chunk by chunk, records each step the agent reports, audits every state
 * change and pushes the job to the consoles. The agent decides: it verifies, asks staff,
 * installs, and reports; the server never marks a step the agent did not report.
 */
export class SoftwareDelivery {
  readonly #deps: DeliveryDeps;
  readonly #log: Logger;

  constructor(deps: DeliveryDeps) {
    this.#deps = deps;
    this.#log = deps.log;
  }

  /** Delivers a package to chosen devices of one agent, or to every fitting device of a facility. */
  async createJobs(user: UserView, request: CreateJobsRequest): Promise<JobView[]> {
    const stored = await this.#deps.packages.get(request.packageId);
    if (!stored) throw new TetherError('not_found', 'That package no longer exists.');
    const { manifest } = stored;

    const plans: { agent: AgentView; devices: Device[] }[] = [];
    if (request.target.kind === 'devices') {
      const agent = await this.#agent(request.target.agentId);
      const known = await this.#devicesOf(agent);
      const devices = request.target.deviceIds.map((id) => {
        const device = known.find((d) => d.id === id);
        if (!device) {
          throw new TetherError('not_found', `${agent.name} does not report a device ${id}.`);
        }
        if (!manifest.models.includes(device.model)) {
          throw new TetherError(
            'bad_request',
            `${device.name} is a ${device.model}; ${manifest.name} is for ${manifest.models.join(', ')} only.`,
          );
        }
        return device;
      });
      plans.push({ agent, devices });
    } else {
      const facilityId = request.target.facilityId;
      const agents = (await this.#deps.directory.list()).filter(
        (a) => a.facility.id === facilityId,
      );
      for (const agent of agents) {
        const devices = (await this.#devicesOf(agent)).filter((d) =>
          manifest.models.includes(d.model),
        );
        if (devices.length > 0) plans.push({ agent, devices });
      }
      if (plans.length === 0) {
        const where = agents[0]?.facility.name ?? 'that facility';
        throw new TetherError(
          'not_found',
          `No ${manifest.models.join(' or ')} is known at ${where}, so there is nothing to update.`,
        );
      }
    }

    const views: JobView[] = [];
    for (const plan of plans) {
      const jobId = newId('job');
      const state: TargetState = this.#online(plan.agent.id) ? 'offered' : 'queued';
      await this.#deps.jobs.create(
        this.#jobRow(jobId, plan.agent.id, user, { packageId: manifest.packageId }),
        plan.devices.map((d) => ({ deviceId: d.id, deviceName: d.name })),
        state,
      );
      await this.#deps.audit.append({
        actor: `user:${user.id}`,
        action: 'software.job_created',
        detail: {
          jobId,
          agentId: plan.agent.id,
          packageId: manifest.packageId,
          version: manifest.version,
          deviceIds: plan.devices.map((d) => d.id),
        },
      });
      this.#log.info(
        { jobId, agentId: plan.agent.id, packageId: manifest.packageId },
        'job created',
      );
      views.push(await this.#changed(jobId));
      await this.#offer(jobId);
    }

    return views;
  }

  /** Signs a licence for one device and delivers it like a package. */
  async issueLicence(user: UserView, request: IssueLicenceRequest): Promise<IssueLicenceResponse> {
    const agent = await this.#agent(request.agentId);
    const device = (await this.#devicesOf(agent)).find((d) => d.id === request.deviceId);
    if (!device) {
      throw new TetherError(
        'not_found',
        `${agent.name} does not report a device ${request.deviceId}.`,
      );
    }
    if (!(Date.parse(request.expiresAt) > Date.now())) {
      throw new TetherError(
        'bad_request',
        'The expiry date has passed. Choose a date in the future.',
      );
    }

    const body: LicenceBody = {
      licenceId: newId('lic'),
      deviceSerial: device.serial,
      deviceModel: device.model,
      options: request.options,
      expiresAt: new Date(request.expiresAt).toISOString(),
      issuedAt: nowIso(),
    };
    const signature = this.#deps.releaseKey.sign(licencePayload(body));
    const jobId = newId('job');
    await this.#deps.jobs.create(
      this.#jobRow(jobId, agent.id, user, { licenceId: body.licenceId }),
      [{ deviceId: device.id, deviceName: device.name }],
      this.#online(agent.id) ? 'offered' : 'queued',
      {
        id: body.licenceId,
        agent_id: agent.id,
        device_id: device.id,
        body: JSON.stringify(body),
        signature,
        issued_by_name: user.displayName,
      },
    );
    await this.#deps.audit.append({
      actor: `user:${user.id}`,
      action: 'licence.issued',
      detail: {
        jobId,
        licenceId: body.licenceId,
        agentId: agent.id,
        deviceId: device.id,
        options: body.options,
        expiresAt: body.expiresAt,
      },
    });

    const job = await this.#changed(jobId);
    await this.#offer(jobId);
    const licence = (await this.#deps.jobs.licences()).find((l) => l.id === body.licenceId);
    if (!licence) throw new Error('licence vanished after it was stored');

    return { licence, job };
  }

  /** The agent connected: offer again every job it has not finished. */
  async agentOnline(agentId: string): Promise<void> {
    for (const jobId of await this.#deps.jobs.openJobIds(agentId)) {
      const targets = await this.#deps.jobs.targets(jobId);
      if (targets.some((t) => t.state === 'queued')) {
        await this.#deps.jobs.patchTargets(jobId, null, {
          state: 'offered',
          progress: null,
          detail: null,
        });
        await this.#changed(jobId);
      }
      await this.#offer(jobId);
    }
  }

  /** Answers one chunk request of the agent's own job with the bytes from the stored file. */
  async chunkRequest(agentId: string, request: ChunkRequest): Promise<void> {
    const job = await this.#deps.jobs.job(request.jobId);
    if (!job || job.agent_id !== agentId || !job.package_id) {
      this.#deps.toAgent(agentId, {
        type: 'software.unavailable',
        jobId: request.jobId,
        reason: 'The server knows no such package delivery for this agent.',
      });
      return;
    }

    const path = this.#deps.packages.filePath(job.package_id);
    let file;
    try {
      file = await open(path, 'r');
    } catch {
      this.#log.warn({ jobId: job.id, packageId: job.package_id }, 'package file missing');
      this.#deps.toAgent(agentId, {
        type: 'software.unavailable',
        jobId: job.id,
        reason: 'The package file is missing on the server.',
      });
      return;
    }

    try {
      const { size } = await file.stat();
      const length = Math.min(request.length, CHUNK_BYTES, Math.max(0, size - request.offset));
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, request.offset);
      this.#deps.toAgent(agentId, {
        type: 'software.chunk',
        jobId: job.id,
        offset: request.offset,
        total: size,
        data: buffer.subarray(0, bytesRead).toString('base64'),
      });
    } finally {
      await file.close();
    }
  }

  /** Records a step the agent reports; a change of state is audited. */
  async report(agentId: string, report: SoftwareReport): Promise<void> {
    const job = await this.#deps.jobs.job(report.jobId);
    if (!job || job.agent_id !== agentId) {
      throw new TetherError('not_found', `No delivery ${report.jobId} for this agent.`);
    }

    const before = await this.#deps.jobs.targets(job.id);
    const affected = before.filter((t) =>
      report.deviceId === null
        ? !isTerminal(t.state as TargetState)
        : t.device_id === report.deviceId,
    );
    await this.#deps.jobs.patchTargets(job.id, report.deviceId, {
      state: report.state,
      progress: report.progress,
      detail: report.detail,
      ...(report.deviceId !== null && { firmware: report.firmware }),
    });
    if (report.window || report.state === 'scheduled')
      await this.#deps.jobs.setWindow(job.id, report.window);

    if (affected.some((t) => t.state !== report.state)) {
      await this.#deps.audit.append({
        actor: `agent:${agentId}`,
        action: `software.${report.state}`,
        detail: {
          jobId: job.id,
          deviceId: report.deviceId,
          ...(report.detail && { detail: report.detail }),
          ...(report.firmware && { firmware: report.firmware }),
          ...(report.window && { window: report.window }),
        },
      });
      const level = report.state === 'refused' || report.state === 'rolled_back' ? 'warn' : 'info';
      this.#log[level](
        { jobId: job.id, deviceId: report.deviceId, state: report.state, detail: report.detail },
        'delivery step',
      );
    }
    await this.#changed(job.id);
  }

  async #offer(jobId: string): Promise<void> {
    const job = await this.#deps.jobs.job(jobId);
    if (!job || !this.#online(job.agent_id)) return;

    const targets = (await this.#deps.jobs.targets(jobId)).filter(
      (t) => !isTerminal(t.state as TargetState),
    );
    if (targets.length === 0) return;
    const item = await this.#item(job.package_id, job.licence_id);
    if (!item) return;

    const offer: SoftwareOffer = {
      type: 'software.offer',
      jobId,
      technician: JSON.parse(job.created_by_person) as Person,
      createdAt: job.created_at,
      deviceIds: targets.map((t) => t.device_id),
      item,
    };
    this.#deps.toAgent(job.agent_id, offer);
  }

  async #item(packageId: string | null, licenceId: string | null): Promise<OfferItem | null> {
    if (packageId) {
      const stored = await this.#deps.packages.get(packageId);
      if (!stored) return null;
      return { kind: 'package', manifest: stored.manifest, signature: stored.signature };
    }
    const licence = licenceId ? await this.#deps.jobs.licence(licenceId) : undefined;
    if (!licence) return null;
    return {
      kind: 'licence',
      licence: JSON.parse(licence.body) as LicenceBody,
      signature: licence.signature,
    };
  }

  async #changed(jobId: string): Promise<JobView> {
    const job = await this.#deps.jobs.view(jobId);
    if (!job) throw new Error(`job ${jobId} vanished`);
    this.#deps.toConsoles({ type: 'software.job', job });
    return job;
  }

  async #agent(agentId: string): Promise<AgentView> {
    const agent = await this.#deps.directory.view(agentId);
    if (!agent) throw new TetherError('not_found', 'That facility agent is not enrolled.');
    return agent;
  }

  #online(agentId: string): boolean {
    return this.#deps.isOnline(agentId);
  }

  async #devicesOf(agent: AgentView): Promise<Device[]> {
    return agent.online ? agent.devices : this.#deps.reportedDevices(agent.id);
  }

  #jobRow(
    id: string,
    agentId: string,
    user: UserView,
    item: { packageId: string } | { licenceId: string },
  ) {
    const person: Person = {
      username: user.username,
      displayName: user.displayName,
      organisation: user.organisation,
    };
    return {
      id,
      agent_id: agentId,
      item_kind: 'packageId' in item ? 'package' : 'licence',
      package_id: 'packageId' in item ? item.packageId : null,
      licence_id: 'licenceId' in item ? item.licenceId : null,
      created_by: user.id,
      created_by_person: JSON.stringify(person),
      created_at: nowIso(),
      install_window: null,
    };
  }
}
