import { generateCorpus } from '../agent-bridge/phi/corpus.ts';
import { createPhiFilter } from '../agent-bridge/phi/filter.ts';

/**
 * `npm run bench:redact`: throughput of the agent's PHI filter on one core. Builds about
 * 50 MB of device log lines and HL7 traffic with planted identifiers in memory, then times
 * a plain copy of the lines (split and join) and the filter over the same text in the same
 * run, so the figures can be compared on whatever machine runs it. Goal: ≥ 20 MB/s.
 */
const TARGET_BYTES = 50 * 1024 * 1024;
const GOAL_MB_S = 20;

function buildLog(): string {
  const parts: string[] = [];
  let bytes = 0;
  for (let seed = 1; bytes < TARGET_BYTES; seed++) {
    for (const line of generateCorpus(10_000, seed)) {
      parts.push(line.text);
      bytes += line.text.length + 1;
    }
  }

  return parts.join('\n');
}

function timeIt(run: () => string): { seconds: number; chars: number } {
  const start = process.hrtime.bigint();
  // The length is read so the work cannot be optimised away.
  const chars = run().length;
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, chars };
}

const log = buildLog();
const megabytes = Buffer.byteLength(log) / 1e6;
const filter = createPhiFilter();
let removed = 0;

// One untimed pass over a slice lets the regexes and the copy path get compiled first.
const warmUp = log.slice(0, 2_000_000).split('\n');
for (const line of warmUp) filter(line);

const copy = timeIt(() =>
  log
    .split('\n')
    .map((line) => line)
    .join('\n'),
);
const filtered = timeIt(() =>
  log
    .split('\n')
    .map((line) => {
      const result = filter(line);
      removed += result.removed;
      return result.text;
    })
    .join('\n'),
);

const copyRate = megabytes / copy.seconds;
const filterRate = megabytes / filtered.seconds;
const lines = log.split('\n').length;
console.log(`input        ${megabytes.toFixed(1)} MB, ${lines} lines, ${removed} items removed`);
console.log(`plain copy   ${copyRate.toFixed(1)} MB/s (${copy.seconds.toFixed(2)} s)`);
console.log(`PHI filter   ${filterRate.toFixed(1)} MB/s (${filtered.seconds.toFixed(2)} s)`);
console.log(`ratio        filter takes ${(copyRate / filterRate).toFixed(1)}× the copy's time`);
console.log(`goal         ≥ ${GOAL_MB_S} MB/s: ${filterRate >= GOAL_MB_S ? 'met' : 'NOT met'}`);
process.exitCode = filterRate >= GOAL_MB_S ? 0 : 1;
