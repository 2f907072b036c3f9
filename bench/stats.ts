/** The value below which `p` (0..1) of the samples fall, by nearest rank; NaN when empty. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;

  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));

  return sorted[rank]!;
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;

  return samples.reduce((sum, x) => sum + x, 0) / samples.length;
}

/** One printed line: a figure, its goal and whether it meets it. */
export interface Figure {
  label: string;
  value: number;
  unit: string;
  goal?: { op: '>=' | '<='; value: number };
}

/** Formats figures as an aligned table, goals and a pass/fail mark on the right. */
export function formatFigures(figures: readonly Figure[]): string {
  const width = Math.max(...figures.map((f) => f.label.length));

  return figures
    .map((f) => {
      const shown = Number.isNaN(f.value) ? 'n/a' : `${round(f.value)} ${f.unit}`;
      const label = f.label.padEnd(width);
      if (!f.goal) return `  ${label}  ${shown}`;

      const met = f.goal.op === '>=' ? f.value >= f.goal.value : f.value <= f.goal.value;
      const mark = Number.isNaN(f.value) ? '?' : met ? 'ok' : 'MISSED';
      const goal = `goal ${f.goal.op === '>=' ? '≥' : '≤'} ${f.goal.value} ${f.unit}`;

      return `  ${label}  ${shown.padEnd(14)}${goal.padEnd(22)}${mark}`;
    })
    .join('\n');
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(1);
}
