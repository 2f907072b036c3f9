import { percentile } from './stats.ts';
import type { SetupResult } from './transport-setup.ts';
import type { ThroughputResult } from './transport-throughput.ts';

/** A rung that has goals but is not measured by this bench yet, and why. */
export interface UnmeasuredRung {
  name: string;
  goals: string;
  reason: string;
}

/**
 * The throughput table: each rung's median rate over its transfers, and that median's
 * share of the plain WebSocket's median.
 */
export function throughputTable(results: readonly ThroughputResult[], mib: number): string {
  const reference = results.find((r) => r.rung.goalShare === undefined);
  const base =
    reference && 'samples' in reference ? percentile(reference.samples, 0.5) : Number.NaN;
  const rows = results.map((r): string[] => {
    const goal = r.rung.goalShare === undefined ? '' : `≥ ${percent(r.rung.goalShare)}`;
    if ('skipped' in r) return [r.rung.name, '—', '', '—', goal, 'not measured', r.skipped];

    const rate = percentile(r.samples, 0.5);
    const share = rate / base;
    const met = r.rung.goalShare === undefined ? '' : verdict(share >= r.rung.goalShare, share);
    const runs = r.samples.map((x) => x.toFixed(1)).join(' ');
    return [r.rung.name, rate.toFixed(1), runs, percent(share), goal, met, r.path];
  });

  return [
    `Throughput: ${mib} MiB from Node (the agent's side) to Chromium; median of the runs`,
    table(['rung', 'MiB/s', 'runs', 'vs plain WS', 'goal', 'met', 'path'], rows),
  ].join('\n');
}

/** The setup table: Approve to first log line, median and 90th percentile per rung. */
export function setupTable(results: readonly SetupResult[]): string {
  const rows = results.map((r): string[] => {
    const goal = `p50 < ${r.rung.goalP50Ms / 1000} s`;
    if ('skipped' in r) return [r.rung.name, '—', '—', '', goal, 'not measured', r.skipped];

    const p50 = percentile(r.samplesMs, 0.5);
    const runs = r.samplesMs.map((ms) => seconds(ms)).join(' ');
    return [
      r.rung.name,
      seconds(p50),
      seconds(percentile(r.samplesMs, 0.9)),
      runs,
      goal,
      verdict(p50 < r.rung.goalP50Ms, p50),
      r.path,
    ];
  });

  return [
    'Session setup: Approve click on the consent page to the first log line in the console',
    table(['rung', 'p50', 'p90', 'runs', 'goal', 'met', 'console shows'], rows),
  ].join('\n');
}

export function unmeasuredLines(rungs: readonly UnmeasuredRung[]): string {
  return rungs.map((r) => `Not measured: ${r.name} (goals: ${r.goals}). ${r.reason}`).join('\n');
}

function verdict(met: boolean, value: number): string {
  if (Number.isNaN(value)) return '?';
  return met ? 'met' : 'NOT met';
}

function percent(share: number): string {
  return Number.isNaN(share) ? 'n/a' : `${Math.round(share * 100)} %`;
}

function seconds(ms: number): string {
  return Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
}

/** Left-aligned columns, two spaces apart, with a header row. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();

  return [line(header), ...rows.map(line)].join('\n');
}
