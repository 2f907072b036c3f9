import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumExecutable } from '../tests/chromium.ts';
import { ensureControl, openApprovedScreen } from './console-flow.ts';
import {
  armClick,
  clickPending,
  flipClickTarget,
  installProbe,
  readProbe,
  readRtpCounters,
  readVideoCounters,
  recordPeerConnections,
  type ProbeState,
} from './page-probe.ts';
import { PATTERN_LAYOUT, readPatternStamp } from './pattern-layout.ts';
import { cpuPercent, descendants, snapshotProcesses, type ProcSnapshot } from './proc-cpu.ts';
import { startRig, type Rig } from './rig.ts';
import { formatFigures, mean, percentile, type Figure } from './stats.ts';

/**
 * `npm run bench:desktop`: measures the remote desktop end to end on this machine with the
 * real pieces: a virtual display showing a moving test pattern, the signaling server, the
 * agent-bridge capturing the display with ffmpeg and encoding with libwebrtc, and the
 * console in real Chromium. Prints frame rate, bitrate, CPU and latencies with the goals.
 *
 * Glass-to-glass latency: the pattern draws the wall-clock time as black and white blocks;
 * the page reads them back from each decoded frame and compares with its own clock (one
 * machine, one clock). Input latency: a click on the pattern's flip square, from the
 * page's pointerdown to the first decoded frame showing the square flipped.
 */
const WIDTH = 1280;
const HEIGHT = 720;
const MEASURE_SECONDS = Number(process.env.TETHER_BENCH_SECONDS ?? 15);
const WARM_UP_SECONDS = 3;
const CLICKS = 15;
const CLICK_TIMEOUT_MS = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Passive {
  seconds: number;
  fps: number;
  lowestSecondFps: number;
  dropped: number;
  kbps: number;
  probe: ProbeState;
  cpu: { agent: number; ffmpeg: number; browser: number; rig: number };
  resolution: string;
  codec: string | null;
  jitterBufferMs: number;
  decodeMs: number;
  roundTripMs: number | null;
}

async function main(): Promise<void> {
  let rig: Rig | undefined;
  let browser: Browser | undefined;
  const cleanUp = async (): Promise<void> => {
    await browser?.close().catch(() => undefined);
    await rig?.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));

  try {
    say('building the console…');
    buildConsole();
    say('starting the virtual display with the test pattern, signaling and the agent…');
    rig = await startRig(WIDTH, HEIGHT);
    browser = await chromium.launch({ executablePath: chromiumExecutable(), args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await context.addInitScript(recordPeerConnections);
    const page = await context.newPage();

    say('signing in, requesting a session, approving it, opening the Screen tab…');
    const consent = await openApprovedScreen(page, context, rig);
    await page.evaluate(`window.__readPatternStamp = ${readPatternStamp.toString()}`);
    await page.evaluate(installProbe, PATTERN_LAYOUT);
    await sleep(WARM_UP_SECONDS * 1000);
    const visibility = await page.evaluate(() => document.visibilityState);
    if (visibility !== 'visible') say(`warning: the console page is ${visibility}`);

    say(`measuring for ${MEASURE_SECONDS} s…`);
    const passive = await measurePassive(page, rig);

    say(`asking for control and clicking ${CLICKS} times…`);
    const input = await measureInput(page, consent, rig);

    printReport(passive, input);
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    await saveScreenshots(browser);
    if (rig)
      process.stderr.write(`agent log (last lines):\n${rig.agentLog.slice(-15).join('\n')}\n`);
    process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

/** Pictures of every open page, for finding out where a failed run stopped. */
async function saveScreenshots(browser: Browser | undefined): Promise<void> {
  const pages = browser?.contexts().flatMap((context) => context.pages()) ?? [];
  for (const [index, page] of pages.entries()) {
    const path = join(tmpdir(), `tether-bench-page-${index + 1}.png`);
    await page.screenshot({ path }).catch(() => undefined);
    process.stderr.write(`bench: screenshot of ${page.url()} in ${path}\n`);
  }
}

/** The signaling server serves dist/; a stale build would measure yesterday's console. */
function buildConsole(): void {
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const vite = fileURLToPath(new URL('../node_modules/vite/bin/vite.js', import.meta.url));
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: repo,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (result.status !== 0) throw new Error('the console did not build (vite build failed)');
}

async function measurePassive(page: Page, rig: Rig): Promise<Passive> {
  const procsBefore = snapshotProcesses();
  const videoBefore = await page.evaluate(readVideoCounters);
  const rtpBefore = await page.evaluate(readRtpCounters);
  await page.evaluate(readProbe, true);
  const started = performance.now();

  const perSecond: number[] = [];
  let last = videoBefore.totalFrames;
  for (let i = 0; i < MEASURE_SECONDS; i += 1) {
    await sleep(1000);
    const { totalFrames } = await page.evaluate(readVideoCounters);
    perSecond.push(totalFrames - last);
    last = totalFrames;
  }

  const seconds = (performance.now() - started) / 1000;
  const procsAfter = snapshotProcesses();
  const videoAfter = await page.evaluate(readVideoCounters);
  const rtpAfter = await page.evaluate(readRtpCounters);
  const probe = await page.evaluate(readProbe, false);
  const emitted = rtpAfter.jitterBufferEmitted - rtpBefore.jitterBufferEmitted;
  const decoded = rtpAfter.framesDecoded - rtpBefore.framesDecoded;

  return {
    seconds,
    fps: (videoAfter.totalFrames - videoBefore.totalFrames) / seconds,
    lowestSecondFps: Math.min(...perSecond),
    dropped: videoAfter.droppedFrames - videoBefore.droppedFrames,
    kbps: ((rtpAfter.bytesReceived - rtpBefore.bytesReceived) * 8) / seconds / 1000,
    probe,
    cpu: cpuByRole(procsBefore, procsAfter, rig, seconds),
    resolution: `${videoAfter.width}x${videoAfter.height}`,
    codec: rtpAfter.codec,
    jitterBufferMs:
      emitted > 0
        ? ((rtpAfter.jitterBufferDelay - rtpBefore.jitterBufferDelay) / emitted) * 1000
        : Number.NaN,
    decodeMs:
      decoded > 0
        ? ((rtpAfter.totalDecodeTime - rtpBefore.totalDecodeTime) / decoded) * 1000
        : Number.NaN,
    roundTripMs: rtpAfter.roundTripTime === null ? null : rtpAfter.roundTripTime * 1000,
  };
}

/**
 * CPU by role. The browser is whatever else runs below this process: Playwright starts
 * Chromium as its child, and the bench starts nothing else besides the agent and the rig.
 */
function cpuByRole(
  before: ProcSnapshot,
  after: ProcSnapshot,
  rig: Rig,
  seconds: number,
): Passive['cpu'] {
  const agentTree = descendants(after, rig.agent.child.pid!);
  const ffmpeg = [...agentTree].filter((pid) => after.get(pid)?.comm === 'ffmpeg');
  const agent = [...agentTree].filter((pid) => !ffmpeg.includes(pid));
  const rigPids = new Set([
    rig.display.pids.xvfb,
    ...(rig.display.pids.app ? [rig.display.pids.app] : []),
  ]);
  const browser = [...descendants(after, process.pid)].filter(
    (pid) => pid !== process.pid && !agentTree.has(pid) && !rigPids.has(pid),
  );

  return {
    agent: cpuPercent(before, after, agent, seconds),
    ffmpeg: cpuPercent(before, after, ffmpeg, seconds),
    browser: cpuPercent(before, after, browser, seconds),
    rig: cpuPercent(before, after, rigPids, seconds),
  };
}

interface InputFigures {
  /** Click in the browser to the pixels changing on the facility's display. */
  toDisplay: number[];
  /** Click in the browser to the changed picture decoded back in the browser. */
  toPicture: number[];
}

/**
 * Clicks the flip square. Each click is timed twice: until the pattern reports that it
 * redrew the square on the virtual display (the input path alone), and until the console
 * decodes the changed picture (input path plus the way back as video).
 */
async function measureInput(page: Page, consent: Page, rig: Rig): Promise<InputFigures> {
  await ensureControl(page, consent);
  await page.evaluate(readProbe, true);
  const toDisplay: number[] = [];

  for (let i = 0; i < CLICKS; i += 1) {
    if (!(await page.evaluate(armClick))) throw new Error('the flip square is not visible');
    const target = await page.evaluate(flipClickTarget, PATTERN_LAYOUT);
    const flipsBefore = rig.flips.length;
    const clickedAt = Date.now();
    await page.mouse.click(target.x, target.y);

    const deadline = Date.now() + CLICK_TIMEOUT_MS;
    while (Date.now() < deadline && (await page.evaluate(clickPending))) await sleep(20);
    const flipped = rig.flips[flipsBefore];
    if (flipped !== undefined) toDisplay.push(flipped - clickedAt);
    await sleep(250);
  }

  return { toDisplay, toPicture: (await page.evaluate(readProbe, false)).inputLatencies };
}

function printReport(passive: Passive, input: InputFigures): void {
  const { probe } = passive;
  const read = probe.ages.length;
  const figures: Figure[] = [
    { label: 'decoded frame rate', value: passive.fps, unit: 'fps', goal: { op: '>=', value: 28 } },
    { label: 'slowest second', value: passive.lowestSecondFps, unit: 'fps' },
    { label: 'frames dropped by the player', value: passive.dropped, unit: 'frames' },
    { label: 'bitrate', value: passive.kbps, unit: 'kbit/s' },
    {
      label: 'glass-to-glass p50',
      value: percentile(probe.ages, 0.5),
      unit: 'ms',
      goal: { op: '<=', value: 120 },
    },
    {
      label: 'glass-to-glass p95',
      value: percentile(probe.ages, 0.95),
      unit: 'ms',
      goal: { op: '<=', value: 200 },
    },
    { label: 'glass-to-glass mean', value: mean(probe.ages), unit: 'ms' },
    {
      label: 'input (click to pixel on the display) p50',
      value: percentile(input.toDisplay, 0.5),
      unit: 'ms',
      goal: { op: '<=', value: 60 },
    },
    { label: 'input to the display p95', value: percentile(input.toDisplay, 0.95), unit: 'ms' },
    // The round trip a technician perceives: the click's effect travels back as video.
    {
      label: 'click to changed picture in the console p50',
      value: percentile(input.toPicture, 0.5),
      unit: 'ms',
    },
    { label: 'jitter buffer, mean per frame', value: passive.jitterBufferMs, unit: 'ms' },
    { label: 'decode, mean per frame', value: passive.decodeMs, unit: 'ms' },
    { label: 'CPU agent (node + libwebrtc)', value: passive.cpu.agent, unit: '% core' },
    { label: 'CPU ffmpeg (capture)', value: passive.cpu.ffmpeg, unit: '% core' },
    { label: 'CPU browser (all processes)', value: passive.cpu.browser, unit: '% core' },
    { label: 'CPU Xvfb + pattern (rig)', value: passive.cpu.rig, unit: '% core' },
  ];

  const lines = [
    '',
    `Remote desktop, ${passive.seconds.toFixed(1)} s at ${WIDTH}x${HEIGHT} 30 fps capture`,
    `  received ${passive.resolution}, ${passive.codec ?? 'codec unknown'}, ` +
      `path RTT ${passive.roundTripMs === null ? 'n/a' : `${passive.roundTripMs.toFixed(1)} ms`}`,
    `  stamps read from ${read} of ${read + probe.unreadable} frames; ` +
      `${input.toDisplay.length} of ${CLICKS} clicks reached the display, ` +
      `${input.toPicture.length} seen back in the console`,
    '',
    formatFigures(figures),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

function say(line: string): void {
  process.stdout.write(`bench: ${line}\n`);
}

await main();
