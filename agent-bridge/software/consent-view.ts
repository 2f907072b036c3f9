import type { Device } from '../../shared/devices.ts';
import { isTerminal, type UpdateView } from '../../shared/software.ts';
import type { LocalJob } from './local-jobs.ts';

/** Most deliveries the consent page lists: the open ones and the latest finished ones. */
const MAX_SHOWN = 50;

/** The consent page's picture of every delivery: waiting, under way, done (newest first). */
export function updateViews(jobs: LocalJob[], devices: Device[]): UpdateView[] {
  return [...jobs]
    .sort((a, b) => b.offer.createdAt.localeCompare(a.offer.createdAt))
    .slice(0, MAX_SHOWN)
    .map((job) => view(job, devices));
}

function view(job: LocalJob, devices: Device[]): UpdateView {
  const { offer } = job;
  const targets = Object.entries(job.targets);
  const phase = targets.some(([, t]) => t.state === 'offered')
    ? 'offered'
    : targets.every(([, t]) => isTerminal(t.state))
      ? 'done'
      : 'active';
  const item = offer.item;

  return {
    jobId: offer.jobId,
    kind: item.kind,
    title:
      item.kind === 'package'
        ? `${item.manifest.name} ${item.manifest.version}`
        : `Licence: ${item.licence.options.join(', ')}`,
    packageKind: item.kind === 'package' ? item.manifest.kind : null,
    notes:
      item.kind === 'package'
        ? item.manifest.notes
        : `Valid until ${item.licence.expiresAt.slice(0, 10)}.`,
    size: item.kind === 'package' ? item.manifest.size : null,
    technician: offer.technician,
    offeredAt: offer.createdAt,
    phase,
    window: job.decision?.kind === 'window' ? job.decision.window : null,
    devices: targets.map(([deviceId, target]) => {
      const device = devices.find((d) => d.id === deviceId);
      return {
        deviceId,
        name: device?.name ?? deviceId,
        model: device?.model ?? '',
        firmware: device?.firmware ?? null,
        state: target.state,
        progress: target.progress,
        detail: target.detail,
      };
    }),
  };
}
