import type { Page } from '@playwright/test';
import { mintTurnCredential } from '../signaling/turn/credentials.ts';
import type { Coturn } from '../tests/coturn.ts';
import type { BenchWindow } from './transport-page.ts';
import type { PageServer } from './transport-page-server.ts';
import { connectNodePeer, type SignalRoute } from './transport-peer.ts';
import { startRelayRig, type RelayRig } from './transport-relay.ts';
import { sendAll, TRANSFER_BYTES, type Sink } from './transport-send.ts';

/** What a rung needs to open its transport to the bench page. */
export interface RungEnv {
  page: Page;
  server: PageServer;
  route: SignalRoute;
  /** A real coturn on loopback, or null when it is not installed. */
  coturn: Coturn | null;
}

/** A transport from the bench (the agent's side) to the page, open and ready to send. */
export interface OpenTransport {
  sink: Sink;
  /** The page that receives, when it is not the bench page of the environment. */
  page?: Page;
  close(): void;
}

/** One rung of the ladder, measured by moving TRANSFER_BYTES from Node to Chromium. */
export interface ThroughputRung {
  name: string;
  /** The goal as a share of the plain WebSocket's rate; the reference itself has none. */
  goalShare?: number;
  /** Opens the transport; throws, in words, when this machine cannot run the rung. */
  open(env: RungEnv): Promise<OpenTransport>;
  /** Lets go of what the rung kept between its transfers; called once, after the last. */
  release?(): Promise<void>;
}

/** One transfer over one rung, or why it could not be made. */
export type Transfer = { mibPerSecond: number; path: string } | { skipped: string };

/** A rung's transfers in one bench run: their rates in MiB/s, or why there were none. */
export type ThroughputResult =
  | { rung: ThroughputRung; samples: number[]; path: string }
  | { rung: ThroughputRung; skipped: string };

/** A transfer slower than this has stalled; about 1 MiB/s. */
const TRANSFER_DEADLINE_MS = 60_000;

/** Who the TURN credential is minted for; it is the only session on this coturn. */
const BENCH_TURN_USER = 'bench-transport';

/**
 * The rungs, reference first: each later rung is compared with the plain WebSocket
 * measured in the same run, on the same machine, through the same browser.
 */
export const THROUGHPUT_RUNGS: ThroughputRung[] = [
  {
    name: 'plain WebSocket (reference)',
    async open({ page, server }) {
      const accepted = server.nextWebSocket();
      await page.evaluate(
        (url) => (window as BenchWindow).__benchTransport!.openWebSocket(url),
        server.webSocketUrl,
      );
      const socket = await accepted;

      return {
        sink: { send: (chunk) => socket.send(chunk), bufferedAmount: () => socket.bufferedAmount },
        close: () => socket.close(),
      };
    },
  },
  {
    name: 'direct data channel',
    goalShare: 0.35,
    open: ({ page, route }) => connectNodePeer(page, route, [], 'all'),
  },
  {
    name: 'TURN TCP data channel',
    goalShare: 0.3,
    async open({ page, route, coturn }) {
      if (!coturn) throw new Error('coturn is not installed (turnserver not found)');

      // Minted as the signaling server mints a session's credential, for coturn's secret.
      const { username, credential } = mintTurnCredential(coturn.secret, BENCH_TURN_USER, 600);
      const iceServers = [{ urls: [coturn.tcpUrl], username, credential }];
      return connectNodePeer(page, route, iceServers, 'relay');
    },
  },
  encryptedRelay(),
];

/**
 * The last rung: the real signaling server's relay namespace and forwarder between the
 * agent's end in Node and the console's end in Chromium, both sealing and opening frames
 * with shared/relay (see bench/transport-relay.ts). The server and its session are made
 * once, on the first transfer, and kept for the others.
 */
function encryptedRelay(): ThroughputRung {
  let rig: Promise<RelayRig> | null = null;

  return {
    name: 'encrypted relay',
    goalShare: 0.7,
    async open({ page, server }) {
      rig ??= startRelayRig(server.dir, page.context());
      return (await rig).open();
    },
    async release() {
      const started = rig;
      rig = null;
      await (await started?.catch(() => null))?.stop();
    },
  };
}

/**
 * Opens the rung's transport, moves TRANSFER_BYTES to the page and times it from the
 * first send to the page holding the last byte, both read on this machine's one clock.
 */
export async function transfer(rung: ThroughputRung, env: RungEnv): Promise<Transfer> {
  let transport: OpenTransport;
  try {
    transport = await rung.open(env);
  } catch (error) {
    return { skipped: (error as Error).message.split('\n')[0] ?? 'failed to open' };
  }

  const page = transport.page ?? env.page;
  try {
    return await timeTransfer(rung, page, transport);
  } catch (error) {
    return { skipped: (error as Error).message.split('\n')[0] ?? 'the transfer failed' };
  } finally {
    transport.close();
    await page.evaluate(() => (window as BenchWindow).__benchTransport!.close());
  }
}

async function timeTransfer(
  rung: ThroughputRung,
  page: Page,
  transport: OpenTransport,
): Promise<Transfer> {
  await page.evaluate((n) => (window as BenchWindow).__benchTransport!.expect(n), TRANSFER_BYTES);
  const startedAt = Date.now();
  const arrivedAt = await withDeadline(
    sendAll(transport.sink).then(() =>
      page.evaluate(() => (window as BenchWindow).__benchTransport!.done()),
    ),
    TRANSFER_DEADLINE_MS,
    `the ${rung.name} did not deliver ${TRANSFER_BYTES / 2 ** 20} MiB`,
  );
  const path = await page.evaluate(() => (window as BenchWindow).__benchTransport!.path());
  const seconds = (arrivedAt - startedAt) / 1000;

  return { mibPerSecond: TRANSFER_BYTES / 2 ** 20 / seconds, path };
}

/** `work`, or an error saying `what` once `ms` have passed. */
async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms);
  });
  // Past the deadline the work may still fail; that is already reported.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
