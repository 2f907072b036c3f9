import type { TargetState, TargetView } from '../../../shared/software.ts';
import type { Tone } from '../../lib/tone.ts';

const LABELS: Record<TargetState, string> = {
  queued: 'Waiting for the agent to come online',
  offered: 'Waiting for facility approval',
  scheduled: 'Scheduled',
  declined: 'Declined by the facility',
  downloading: 'Downloading',
  verifying: 'Verifying signature and checksum',
  installing: 'Installing',
  installed: 'Installed',
  rolled_back: 'Failed and rolled back',
  refused: 'Refused by the agent',
  failed: 'Failed',
};

/** The state of one device's delivery in words, with its percentage while one runs. */
export function targetWords(target: Pick<TargetView, 'state' | 'progress'>): string {
  const label = LABELS[target.state];
  const running = target.state === 'downloading' || target.state === 'installing';
  return running && target.progress !== null
    ? `${label} ${Math.round(target.progress * 100)} %`
    : label;
}

/** The badge colour of a state. */
export function targetTone(state: TargetState): Tone {
  if (state === 'installed') return 'ok';
  if (state === 'rolled_back' || state === 'refused' || state === 'failed') return 'danger';
  if (state === 'declined' || state === 'queued') return 'offline';
  return 'warn';
}

/** "12.4 MB" */
export function sizeWords(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
