/**
 * Compares two dotted version strings such as `2.10.1` and `2.9.0`: segment by segment,
 * numerically where both segments are numbers (so `2.10` is newer than `2.9`, and
 * `2.43.02` equals `2.43.2`), as text otherwise. Missing segments count as zero.
 * Returns a negative number when `a` is older, zero when equal, positive when newer.
 */
export function compareVersions(a: string, b: string): number {
  const left = segments(a);
  const right = segments(b);

  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '0';
    const y = right[i] ?? '0';
    const order = /^\d+$/.test(x) && /^\d+$/.test(y) ? compareDigits(x, y) : compareText(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

function segments(version: string): string[] {
  return version
    .trim()
    .replace(/^v/i, '')
    .split(/[.\-+_]/)
    .filter(Boolean);
}

/** Compares digit strings of any length without losing precision. */
function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  if (a.length !== b.length) return a.length - b.length;

  return compareText(a, b);
}

function compareText(x: string, y: string): number {
  if (x === y) return 0;
  return x < y ? -1 : 1;
}
