import { generateCorpus } from '../agent-bridge/phi/corpus.ts';
import { createPhiFilter } from '../agent-bridge/phi/filter.ts';
import { PhiStreams } from '../agent-bridge/phi/stream.ts';

/**
 * `npm run bench:redact`: throughput of the agent's PHI filter on one core. Builds about
 * 50 MB of device log lines, HL7 traffic, JSON lines and delimited exports with planted
 * identifiers in memory, then times
 * a plain copy of the lines (split and join) and the filter over the same text in the same
 * run, so the figures can be compared on whatever machine runs it. Goal: ≥ 20 MB/s.
 */
const TARGET_BYTES = 50 * 1024 * 1024;
const GOAL_MB_S = 20;

/** The log text, and per line the source it comes from (exports have files of their own). */
function buildLog(): { log: string; sources: string[] } {
  const parts: string[] = [];
  const sources: string[] = [];
  let bytes = 0;
  for (let seed = 1; bytes < TARGET_BYTES; seed++) {
    for (const line of generateCorpus(10_000, seed)) {
      parts.push(line.text);
      sources.push(line.source ?? 'device');
      bytes += line.text.length + 1;
    }
  }

  return { log: parts.join('\n'), sources };
}

/**
 * Wall-clock and CPU seconds of `run`. On a machine shared with other work the two part:
 * CPU time is this process's own work (garbage collection threads included), the wall
 * clock also counts waiting for a core.
 */
function timeIt(run: () => string): { seconds: number; cpuSeconds: number; chars: number } {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  // The length is read so the work cannot be optimised away.
  const chars = run().length;
  const used = process.cpuUsage(cpu);
  return {
    seconds: Number(process.hrtime.bigint() - start) / 1e9,
    cpuSeconds: (used.user + used.system) / 1e6,
    chars,
  };
}

const { log, sources } = buildLog();
const megabytes = Buffer.byteLength(log) / 1e6;
// As the hub filters: one stream per source, so export rows are masked by column.
const streams = new PhiStreams(createPhiFilter());
let removed = 0;

// One untimed pass over a slice lets the regexes and the copy path get compiled first.
const warmUp = new PhiStreams(createPhiFilter());
log
  .slice(0, 2_000_000)
  .split('\n')
  .forEach((line, i) => warmUp.next(sources[i] ?? 'device', line));

const copy = timeIt(() =>
  log
    .split('\n')
    .map((line) => line)
    .join('\n'),
);
const filtered = timeIt(() =>
  log
    .split('\n')
    .map((line, i) => {
      const result = streams.next(sources[i] ?? 'device', line);
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
console.log(
  `  per CPU    ${(megabytes / filtered.cpuSeconds).toFixed(1)} MB/s (${filtered.cpuSeconds.toFixed(2)} s of CPU time)`,
);
console.log(`ratio        filter takes ${(copyRate / filterRate).toFixed(1)}× the copy's time`);
console.log(`goal         ≥ ${GOAL_MB_S} MB/s: ${filterRate >= GOAL_MB_S ? 'met' : 'NOT met'}`);
process.exitCode = filterRate >= GOAL_MB_S ? 0 : 1;
