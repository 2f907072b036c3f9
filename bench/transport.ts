import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/chromium.ts';
import { findTurnserver, startCoturn, type Coturn } from '../tests/coturn.ts';
import { buildPage, startPageServer, type PageServer } from './transport-page-server.ts';
import { exposeSignalRoute } from './transport-peer.ts';
import {
  setupTable,
  throughputTable,
  unmeasuredLines,
  type UnmeasuredRung,
} from './transport-report.ts';
import { TRANSFER_BYTES } from './transport-send.ts';
import { measureSetup, SETUP_RUNGS, type SetupResult } from './transport-setup.ts';
import {
  THROUGHPUT_RUNGS,
  transfer,
  type ThroughputResult,
  type ThroughputRung,
} from './transport-throughput.ts';

/**
 * `npm run bench:transport`: how fast each rung of the connectivity ladder carries data
 * from the agent to the console, next to a plain WebSocket measured in the same run, and
 * how long a session takes from the facility's Approve to the first log line on each rung.
 *
 * Throughput uses the real transports, not the product's session code: a Node
 * simple-peer on @roamhq/wrtc made as the agent makes it, a simple-peer in Chromium
 * bundled as the console bundles it, a real coturn for TURN over TCP, and for the
 * encrypted relay the real signaling server with shared/relay's endpoint on both ends.
 * Setup time uses the whole product: signaling server, agent process, console and
 * consent page.
 *
 * TETHER_DIST names an already built console to use; otherwise the bench builds one into
 * a temporary folder. TETHER_BENCH_RUNS sets the sessions timed per rung (default 5),
 * TETHER_BENCH_ROUNDS the transfers per throughput rung (default 3). TETHER_BENCH_ONLY
 * runs one part while iterating on it: `throughput` or `setup` (default both); a partial
 * run prints only its own table.
 */
const SETUP_RUNS = Number(process.env.TETHER_BENCH_RUNS ?? 5);
/** Transfers per throughput rung; the table shows their median. */
const ROUNDS = Number(process.env.TETHER_BENCH_ROUNDS ?? 3);
const ONLY = readOnly(process.env.TETHER_BENCH_ONLY);
const MIB = TRANSFER_BYTES / 2 ** 20;

/**
 * Rungs with goals that this bench does not measure yet, each with the reason, printed
 * under the tables so that a missing figure is never mistaken for a met goal. Every rung
 * of the ladder is measured now.
 */
const UNMEASURED: UnmeasuredRung[] = [];

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'tether-bench-transport-'));
  let coturn: Coturn | null = null;
  let browser: Browser | undefined;
  let server: PageServer | undefined;
  const cleanUp = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    await coturn?.stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

  try {
    say('building the bench page and the console…');
    await buildPage(join(scratch, 'page'));
    // Only the setup rungs run the console.
    if (ONLY !== 'throughput') process.env.TETHER_DIST ??= buildConsole(join(scratch, 'console'));
    server = await startPageServer(join(scratch, 'page'));
    if (findTurnserver()) coturn = await startCoturn();
    else say('warning: coturn is not installed (turnserver not found); TURN rungs are skipped');
    browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });

    const throughput = ONLY === 'setup' ? [] : await runThroughput(browser, server, coturn);
    const setup = ONLY === 'throughput' ? [] : await runSetup(browser, coturn);

    process.stdout.write(
      [
        '',
        ...(ONLY === 'setup' ? [] : [throughputTable(throughput, MIB), '']),
        ...(ONLY === 'throughput' ? [] : [setupTable(setup), '']),
        ...(UNMEASURED.length > 0 ? [unmeasuredLines(UNMEASURED), ''] : []),
      ].join('\n'),
    );
    // A rung in the tables that could not be measured is a failed run; a missed goal is not.
    if ([...throughput, ...setup].some((r) => 'skipped' in r)) process.exitCode = 1;
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    if (coturn) process.stderr.write(`coturn (last lines):\n${coturn.log.slice(-10).join('\n')}\n`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

async function runThroughput(
  browser: Browser,
  server: PageServer,
  coturn: Coturn | null,
): Promise<ThroughputResult[]> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const route = await exposeSignalRoute(page);
  await page.goto(server.url);
  await page.waitForFunction(() => '__benchTransport' in window, undefined, { timeout: 10_000 });

  // Rounds take the rungs in turn, so that load from elsewhere on the machine falls on
  // all of them alike rather than on whichever rung happened to run at that moment.
  const samples = new Map<ThroughputRung, number[]>();
  const paths = new Map<ThroughputRung, string>();
  const skipped = new Map<ThroughputRung, string>();
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      say(`round ${round} of ${ROUNDS}: ${MIB} MiB over each rung…`);
      for (const rung of THROUGHPUT_RUNGS) {
        if (skipped.has(rung)) continue;

        const result = await transfer(rung, { page, server, route, coturn });
        if ('skipped' in result) {
          skipped.set(rung, result.skipped);
          continue;
        }
        samples.set(rung, [...(samples.get(rung) ?? []), result.mibPerSecond]);
        paths.set(rung, result.path);
      }
    }
  } finally {
    for (const rung of THROUGHPUT_RUNGS) await rung.release?.().catch(() => undefined);
    await context.close();
  }

  const results = THROUGHPUT_RUNGS.map((rung): ThroughputResult =>
    skipped.has(rung)
      ? { rung, skipped: skipped.get(rung)! }
      : { rung, samples: samples.get(rung) ?? [], path: paths.get(rung) ?? '' },
  );
  return results;
}

async function runSetup(browser: Browser, coturn: Coturn | null): Promise<SetupResult[]> {
  const results: SetupResult[] = [];
  for (const rung of SETUP_RUNGS) {
    say(`timing ${SETUP_RUNS} sessions from Approve to the first log line, ${rung.name}…`);
    results.push(await measureSetup(browser, rung, coturn, SETUP_RUNS));
  }

  return results;
}

/** Builds the console the stack serves into `outDir`; returns `outDir`. */
function buildConsole(outDir: string): string {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
  const result = spawnSync(
    process.execPath,
    [vite, 'build', '--logLevel', 'warn', '--outDir', outDir],
    { cwd: repo, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) throw new Error('the console did not build (vite build failed)');

  return outDir;
}

/** TETHER_BENCH_ONLY, checked: a misspelt part fails the run instead of running both. */
function readOnly(value: string | undefined): 'throughput' | 'setup' | null {
  const part = value?.trim() ?? '';
  if (part === '') return null;
  if (part === 'throughput' || part === 'setup') return part;
  throw new Error(`TETHER_BENCH_ONLY must be "throughput" or "setup", not "${part}".`);
}

function say(line: string): void {
  process.stdout.write(`bench: ${line}\n`);
}

await main();
