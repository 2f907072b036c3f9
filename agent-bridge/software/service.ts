import { EventEmitter } from 'node:events';
import { renameSync, rmSync } from 'node:fs';
import type { Device } from '../../shared/devices.ts';
import { TetherError } from '../../shared/errors.ts';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import {
  isTerminal,
  type InstallWindow,
  type SoftwareOffer,
  type TargetState,
  type UpdateDecision,
} from '../../shared/software.ts';
import type { DeviceAdapter } from '../devices/adapter.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { ChunkedDownload } from './download.ts';
import type { LocalJob, LocalJobs, LocalTarget } from './local-jobs.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import type { ReleaseKeyPin } from './release-pin.ts';
import { checkBytes, checkLicence, checkManifest, checkModel, type Verdict } from './verify.ts';
import { checkWindow, isOver, untilOpen, windowWords } from './window.ts';

export interface SoftwareAgentOptions {
  jobs: LocalJobs;
  pin: ReleaseKeyPin;
  devices: DeviceRegistry;
  adapter: DeviceAdapter;
  /** Sends to the server; false when the link is down (the message is then dropped). */
  send(message: AgentToServer): boolean;
  log: Logger;
  /** How long an install waits for an offline device to come back. Default 60 s. */
  deviceWaitMs?: number;
}

interface Events {
  /** Something staff see on the consent page changed. */
  change: [];
}

/** States of a device that is approved (or about to be) and not yet being installed. */
const WAITING_TO_INSTALL: TargetState[] = ['offered', 'scheduled', 'downloading', 'verifying'];

/**
 * The agent's side of software and licence delivery. An offer is checked at once
 * (signature against the pinned release key, device and model, licence serial and expiry)
 * and waits for staff on the consent page. On approval a package downloads in chunks
 * (resuming after a drop), its bytes are checked against the signed SHA-256, and it is
 * installed device by device through the adapter, now or when the chosen window opens.
 * Every step is reported to the server, and again whenever the server offers the job
 * anew (after a reconnect), so reports lost while offline are not lost for good.
 */
export class SoftwareAgent extends EventEmitter<Events> {
  readonly #o: SoftwareAgentOptions;
  readonly #log: Logger;
  readonly #downloads = new Map<string, ChunkedDownload>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #running = new Set<string>();
  readonly #progress = new ProgressThrottle();

  constructor(options: SoftwareAgentOptions) {
    super();
    this.#o = options;
    this.#log = options.log;
    this.#recoverAfterRestart();
  }

  /** One validated message from the server. */
  handle(message: ServerToAgent): void {
    switch (message.type) {
      case 'hello':
        if (message.releaseKey) this.#o.pin.present(message.releaseKey);
        return;
      case 'software.offer':
        this.#onOffer(message);
        return;
      case 'software.chunk':
        this.#downloads
          .get(message.jobId)
          ?.accept(message.offset, Buffer.from(message.data, 'base64'));
        return;
      case 'software.unavailable':
        this.#downloads.get(message.jobId)?.abort(message.reason);
        return;
    }
  }

  /** Every delivery the agent knows, for the consent page. */
  jobs(): LocalJob[] {
    return this.#o.jobs.all();
  }

  /** Staff's answer from the consent page. Throws a TetherError with words to refuse it. */
  answer(jobId: string, decision: UpdateDecision): void {
    const job = this.#o.jobs.get(jobId);
    if (!job) throw new TetherError('not_found', 'This delivery is no longer known here.');
    const waiting = this.#deviceIds(job, ['offered']);
    if (waiting.length === 0)
      throw new TetherError('invalid_state', 'This delivery was already answered.');

    if (decision.kind === 'decline') {
      for (const id of waiting)
        this.#setTarget(job, id, { state: 'declined', detail: 'Declined by facility staff.' });
      this.#log.info({ jobId }, 'delivery declined by staff');
      return;
    }
    if (decision.kind === 'window') {
      const verdict = checkWindow(decision.window);
      if (!verdict.ok) throw new TetherError('bad_request', verdict.reason);
    }

    job.decision = decision;
    this.#o.jobs.save(job);
    this.#log.info({ jobId, decision: decision.kind }, 'delivery approved by staff');
    if (job.offer.item.kind === 'package') this.#download(job);
    else this.#installWhenOpen(job);
  }

  /** Stops timers and downloads; for shutdown. Jobs stay on disk. */
  stop(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#downloads.clear();
  }

  #onOffer(offer: SoftwareOffer): void {
    const known = this.#o.jobs.get(offer.jobId);
    if (known) return this.#reoffered(known);

    const job: LocalJob = { offer, decision: null, shared: null, targets: {}, updatedAt: '' };
    for (const deviceId of offer.deviceIds) {
      const verdict = this.#check(offer, this.#device(deviceId));
      job.targets[deviceId] = verdict.ok
        ? blank('offered')
        : { ...blank('refused'), detail: verdict.reason };
    }
    this.#o.jobs.save(job);
    this.#log.info({ jobId: offer.jobId, kind: offer.item.kind }, 'delivery offered');
    for (const deviceId of offer.deviceIds) this.#report(job, deviceId);
    this.emit('change');
  }

  #check(offer: SoftwareOffer, device: Device | undefined): Verdict {
    const { item } = offer;
    if (!device) return { ok: false, reason: 'This agent does not know that device.' };
    if (item.kind === 'package') {
      const signed = checkManifest(this.#o.pin.key, item.manifest, item.signature);
      return signed.ok ? checkModel(item.manifest, device) : signed;
    }
    return checkLicence(this.#o.pin.key, item.licence, item.signature, device);
  }

  /** The server offers a job again (it reconnected): catch it up and carry on. */
  #reoffered(job: LocalJob): void {
    const jobId = job.offer.jobId;
    if (job.shared) this.#report(job, null);
    for (const deviceId of Object.keys(job.targets)) this.#report(job, deviceId);

    if (job.shared?.state === 'downloading' || job.shared?.state === 'verifying') {
      const running = this.#downloads.get(jobId);
      if (running) running.resume();
      else this.#download(job);
    } else if (job.decision && job.decision.kind !== 'decline' && !this.#timers.has(jobId)) {
      if (this.#deviceIds(job, ['scheduled']).length > 0) this.#installWhenOpen(job);
    }
  }

  #download(job: LocalJob): void {
    const { offer } = job;
    if (offer.item.kind !== 'package') return;
    const jobId = offer.jobId;
    const { part } = this.#o.jobs.paths(jobId);
    const download = new ChunkedDownload({
      path: part,
      total: offer.item.manifest.size,
      request: (offset, length) =>
        this.#o.send({ type: 'software.chunk.request', jobId, offset, length }),
      onProgress: (fraction) => this.#setShared(job, { state: 'downloading', progress: fraction }),
    });
    this.#downloads.set(jobId, download);
    this.#setShared(job, { state: 'downloading', progress: 0 });

    download.run().then(
      () => void this.#verify(job),
      (error: unknown) => {
        this.#downloads.delete(jobId);
        this.#finishAll(job, 'failed', `The download failed: ${describeError(error)}`);
      },
    );
  }

  async #verify(job: LocalJob): Promise<void> {
    const { offer } = job;
    if (offer.item.kind !== 'package') return;
    const jobId = offer.jobId;
    this.#downloads.delete(jobId);
    const { part, image } = this.#o.jobs.paths(jobId);
    this.#setShared(job, { state: 'verifying', progress: null });

    const verdict = await checkBytes(part, offer.item.manifest);
    if (!verdict.ok) {
      rmSync(part, { force: true });
      this.#log.warn({ jobId }, 'package bytes do not match the signed checksum; refused');
      return this.#finishAll(job, 'refused', verdict.reason);
    }
    renameSync(part, image);
    job.shared = null;
    this.#o.jobs.save(job);
    this.#installWhenOpen(job);
  }

  /** Installs now, or schedules the install for when the chosen window opens. */
  #installWhenOpen(job: LocalJob): void {
    const jobId = job.offer.jobId;
    const window = job.decision?.kind === 'window' ? job.decision.window : null;
    if (window && isOver(window)) {
      return this.#finishAll(
        job,
        'failed',
        `The install window ${windowWords(window)} ended before the install could start; nothing was changed.`,
      );
    }

    const wait = window ? untilOpen(window) : 0;
    if (wait === 0) return void this.#install(job, window);

    for (const id of this.#deviceIds(job, WAITING_TO_INSTALL)) {
      this.#setTarget(
        job,
        id,
        { state: 'scheduled', detail: `Installs between ${windowWords(window!)}.` },
        window,
      );
    }
    clearTimeout(this.#timers.get(jobId));
    this.#timers.set(
      jobId,
      setTimeout(() => {
        this.#timers.delete(jobId);
        void this.#install(job, window);
      }, wait),
    );
    this.#log.info({ jobId, inMs: wait }, 'install scheduled');
  }

  async #install(job: LocalJob, window: InstallWindow | null): Promise<void> {
    const jobId = job.offer.jobId;
    if (this.#running.has(jobId)) return;
    this.#running.add(jobId);
    try {
      for (const deviceId of this.#deviceIds(job, WAITING_TO_INSTALL)) {
        if (window && isOver(window)) {
          this.#setTarget(job, deviceId, {
            state: 'failed',
            detail: `The install window ${windowWords(window)} ended before this device's turn; nothing was changed on it.`,
          });
          continue;
        }
        await this.#installOne(job, deviceId);
      }
    } finally {
      this.#running.delete(jobId);
      if (job.offer.item.kind === 'package')
        rmSync(this.#o.jobs.paths(jobId).image, { force: true });
    }
  }

  async #installOne(job: LocalJob, deviceId: string): Promise<void> {
    const { item } = job.offer;
    this.#setTarget(job, deviceId, { state: 'installing', progress: 0, detail: null });
    const device = await this.#onlineDevice(deviceId);
    if (!device) {
      return this.#setTarget(job, deviceId, {
        state: 'failed',
        detail: 'The device stayed offline, so nothing was installed on it.',
      });
    }

    try {
      if (item.kind === 'licence') {
        const verdict = checkLicence(this.#o.pin.key, item.licence, item.signature, device);
        if (!verdict.ok)
          return this.#setTarget(job, deviceId, { state: 'refused', detail: verdict.reason });
        await this.#o.adapter.installLicence(device, item.licence);
        const detail = `Licence installed: ${item.licence.options.join(', ')}, valid until ${item.licence.expiresAt.slice(0, 10)}.`;
        return this.#setTarget(job, deviceId, {
          state: 'installed',
          progress: 1,
          detail,
          firmware: device.firmware,
        });
      }

      const { manifest } = item;
      const outcome = await this.#o.adapter.installImage(
        device,
        {
          path: this.#o.jobs.paths(job.offer.jobId).image,
          name: manifest.name,
          version: manifest.version,
          kind: manifest.kind,
        },
        (fraction) =>
          this.#setTarget(job, deviceId, { state: 'installing', progress: fraction, detail: null }),
      );
      if (outcome.ok) {
        const detail =
          manifest.kind === 'firmware'
            ? `Now on firmware ${outcome.firmware}.`
            : `${manifest.name} ${manifest.version} installed.`;
        this.#setTarget(job, deviceId, {
          state: 'installed',
          progress: 1,
          detail,
          firmware: outcome.firmware,
        });
      } else {
        this.#setTarget(job, deviceId, {
          state: 'rolled_back',
          progress: null,
          detail: outcome.reason,
          firmware: outcome.firmware,
        });
      }
    } catch (error) {
      this.#log.error({ err: error, deviceId }, 'install failed');
      this.#setTarget(job, deviceId, {
        state: 'failed',
        detail: `The install failed: ${describeError(error)}`,
      });
    }
  }

  /** The device once it is online, waiting a while for one that dropped off the network. */
  async #onlineDevice(deviceId: string): Promise<Device | undefined> {
    const deadline = Date.now() + (this.#o.deviceWaitMs ?? 60_000);
    for (;;) {
      const device = this.#device(deviceId);
      if (!device || device.online || Date.now() >= deadline)
        return device?.online ? device : undefined;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** After a restart: an install that was cut off cannot be trusted to have finished. */
  #recoverAfterRestart(): void {
    for (const job of this.#o.jobs.all()) {
      for (const id of this.#deviceIds(job, ['installing'])) {
        job.targets[id] = {
          ...blank('failed'),
          detail: 'The agent restarted during the install; check the device before trying again.',
        };
      }
      this.#o.jobs.save(job);
    }
  }

  #finishAll(job: LocalJob, state: TargetState, detail: string): void {
    job.shared = null;
    for (const id of Object.keys(job.targets)) {
      if (!isTerminal(job.targets[id]!.state)) job.targets[id] = { ...blank(state), detail };
    }
    this.#o.jobs.save(job);
    this.#report(job, null, { ...blank(state), detail });
    this.emit('change');
  }

  #setShared(job: LocalJob, step: { state: TargetState; progress: number | null }): void {
    job.shared = { ...blank(step.state), progress: step.progress };
    for (const id of this.#deviceIds(job, ['offered', 'scheduled', 'downloading', 'verifying'])) {
      job.targets[id] = { ...job.targets[id]!, state: step.state, progress: step.progress };
    }
    this.#o.jobs.save(job);
    if (this.#progress.worthReporting(`${job.offer.jobId}:*`, step.progress))
      this.#report(job, null);
    this.emit('change');
  }

  #setTarget(
    job: LocalJob,
    deviceId: string,
    patch: Partial<LocalTarget> & { state: TargetState },
    window: InstallWindow | null = null,
  ): void {
    const before = job.targets[deviceId] ?? blank(patch.state);
    const next: LocalTarget = { ...before, progress: null, detail: null, ...patch };
    job.targets[deviceId] = next;
    this.#o.jobs.save(job);
    if (
      before.state !== next.state ||
      this.#progress.worthReporting(`${job.offer.jobId}:${deviceId}`, next.progress)
    ) {
      this.#report(job, deviceId, next, window);
    }
    this.emit('change');
  }

  #report(
    job: LocalJob,
    deviceId: string | null,
    target?: LocalTarget,
    window?: InstallWindow | null,
  ): void {
    const step = target ?? (deviceId === null ? job.shared : job.targets[deviceId]);
    if (!step) return;
    const decided = job.decision?.kind === 'window' ? job.decision.window : null;
    this.#o.send({
      type: 'software.report',
      jobId: job.offer.jobId,
      deviceId,
      state: step.state,
      progress: step.progress,
      detail: step.detail,
      firmware:
        deviceId === null ? null : (step.firmware ?? this.#device(deviceId)?.firmware ?? null),
      window: window ?? decided,
    });
  }

  #deviceIds(job: LocalJob, states: TargetState[]): string[] {
    return Object.entries(job.targets)
      .filter(([, target]) => states.includes(target.state))
      .map(([id]) => id);
  }

  #device(deviceId: string): Device | undefined {
    return this.#o.devices.list().find((d) => d.id === deviceId);
  }
}

function blank(state: TargetState): LocalTarget {
  return { state, progress: null, detail: null, firmware: null };
}
