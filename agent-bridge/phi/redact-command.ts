import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { loadConfig } from '../config.ts';
import { DEFAULT_POLICY, loadPolicy } from '../policy.ts';
import { createPhiFilter, type PhiFilter } from './filter.ts';
import { PhiStream } from './stream.ts';

/**
 * Passes every line of `input` through `filter` and writes it to `output`, one line out
 * for each line in, as the lines arrive. The input is one source: a delimited export's
 * header masks the columns of the rows below it. Waits for `output` to drain so a slow reader
 * does not make the whole input pile up in memory. Returns the number of lines.
 */
export async function redactLines(
  input: Readable,
  output: Writable,
  filter: PhiFilter,
): Promise<number> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const stream = new PhiStream(filter);
  let count = 0;
  for await (const line of lines) {
    count++;
    if (!output.write(`${stream.next(line).text}\n`)) await once(output, 'drain');
  }

  return count;
}

/**
 * `npm run agent -- redact`: filters stdin to stdout with the facility's own policy
 * (TETHER_POLICY or the default path), so staff can check what a log would look like
 * before anyone sees it. Needs no server and no identity key; a missing policy file means
 * the defaults and is not created, because a check should not change the installation.
 */
export async function runRedactCommand(): Promise<void> {
  const config = loadConfig();
  const policy = existsSync(config.policyPath) ? loadPolicy(config.policyPath) : DEFAULT_POLICY;

  await redactLines(process.stdin, process.stdout, createPhiFilter(policy.phi));
}
