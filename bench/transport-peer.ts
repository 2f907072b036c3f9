import wrtc from '@roamhq/wrtc';
import type { Page } from '@playwright/test';
import SimplePeer from 'simple-peer';
import { SignalData, type IceServer, type IceTransportPolicy } from '../shared/protocol/signal.ts';
import type { BenchWindow } from './transport-page.ts';
import type { Sink } from './transport-send.ts';

const CONNECT_TIMEOUT_MS = 20_000;

/** The agent's end of a bench data channel, and how to close it. */
export interface NodePeer {
  sink: Sink;
  close(): void;
}

/** Routes the page's signalling data to whichever Node peer is current. */
export interface SignalRoute {
  to: ((data: SignalData) => void) | null;
}

/**
 * Lets the page hand its signalling data to the bench: a function exposed once per page
 * that checks each message against the shared schema, as the server does, and passes it
 * to the current peer.
 */
export async function exposeSignalRoute(page: Page): Promise<SignalRoute> {
  const route: SignalRoute = { to: null };
  await page.exposeFunction('__benchSignal', (json: string) => {
    route.to?.(SignalData.parse(JSON.parse(json)));
  });

  return route;
}

/**
 * Connects the page (a simple-peer initiator, as the console is) to a Node simple-peer on
 * @roamhq/wrtc made exactly as agent-bridge/session/peer.ts makes it: answering, trickling,
 * with the ICE servers and transport policy passed explicitly. Resolves once both ends
 * report the data channel connected; rejects in words after CONNECT_TIMEOUT_MS.
 */
export async function connectNodePeer(
  page: Page,
  route: SignalRoute,
  iceServers: IceServer[],
  iceTransportPolicy: IceTransportPolicy,
): Promise<NodePeer> {
  const peer = new SimplePeer({
    initiator: false,
    wrtc,
    trickle: true,
    config: { iceServers, iceTransportPolicy },
  });
  const close = (): void => {
    route.to = null;
    peer.destroy();
  };
  route.to = (data) => peer.signal(data as SimplePeer.SignalData);
  peer.on('signal', (data) => {
    void page
      .evaluate(
        (d) => (window as BenchWindow).__benchTransport!.signal(d),
        data as SimplePeer.SignalData,
      )
      .catch(() => undefined);
  });

  const nodeConnected = new Promise<void>((resolve, reject) => {
    peer.once('connect', () => resolve());
    peer.once('error', (error: Error) => reject(error));
  });
  const config: RTCConfiguration = { iceServers: iceServers as RTCIceServer[], iceTransportPolicy };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the data channel did not open within ${CONNECT_TIMEOUT_MS} ms`)),
      CONNECT_TIMEOUT_MS,
    );
  });

  try {
    await Promise.race([
      Promise.all([
        page.evaluate((c) => (window as BenchWindow).__benchTransport!.openPeer(c), config),
        nodeConnected,
      ]),
      timeout,
    ]);
  } catch (error) {
    close();
    throw error;
  } finally {
    clearTimeout(timer);
  }

  return {
    sink: { send: (chunk) => peer.send(chunk), bufferedAmount: () => peer.bufferSize },
    close,
  };
}
