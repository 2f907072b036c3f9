// First: simple-peer reads the Node globals `process` and `Buffer` while it loads.
import '../web/lib/node-shims.ts';
import SimplePeer from 'simple-peer';
import { SESSION_CHANNEL_LABEL } from '../shared/protocol/channel.ts';

/**
 * The browser side of `npm run bench:transport`, bundled by Vite the way the console is
 * (same shims, same simple-peer) and loaded by a page on 127.0.0.1. It receives bytes
 * over one transport at a time and reports when the expected amount has arrived. The
 * bench drives it through `window.__benchTransport` and forwards the peer's signalling
 * data through the exposed `__benchSignal` function.
 */
export interface TransportPage {
  /** Makes a simple-peer initiator, as the console does; resolves once it is connected. */
  openPeer(config: RTCConfiguration): Promise<void>;
  /** Signalling data from the bench's Node peer. */
  signal(data: SimplePeer.SignalData): void;
  /** Opens a WebSocket to `url`; resolves once it is open. */
  openWebSocket(url: string): Promise<void>;
  /** Starts counting from zero; `done` resolves once `bytes` have arrived. */
  expect(bytes: number): void;
  /** When the last expected byte arrived, in epoch ms (one clock with the bench). */
  done(): Promise<number>;
  /** The selected candidate pair's local candidate type and protocol, for the report. */
  path(): Promise<string>;
  /** Closes whatever is open. */
  close(): void;
}

/** The page's window as the bench sees it. */
export type BenchWindow = Window & {
  __benchTransport?: TransportPage;
  __benchSignal?: (json: string) => Promise<void>;
};

const w = window as BenchWindow;
let peer: SimplePeer.Instance | null = null;
let socket: WebSocket | null = null;
let received = 0;
let expected = Infinity;
let finish: ((at: number) => void) | null = null;
let finished: Promise<number> = Promise.resolve(0);

function count(bytes: number): void {
  received += bytes;
  if (received >= expected && finish) {
    finish(Date.now());
    finish = null;
  }
}

w.__benchTransport = {
  openPeer(config) {
    const made = new SimplePeer({
      initiator: true,
      trickle: true,
      channelName: SESSION_CHANNEL_LABEL,
      config,
    });
    peer = made;
    made.on('signal', (data) => void w.__benchSignal?.(JSON.stringify(data)));
    made.on('data', (chunk: Uint8Array) => count(chunk.byteLength));

    return new Promise((resolve, reject) => {
      made.once('connect', () => resolve());
      made.once('error', (error: Error) => reject(error));
    });
  },

  signal(data) {
    peer?.signal(data);
  },

  openWebSocket(url) {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.onmessage = (event: MessageEvent<ArrayBuffer>) => count(event.data.byteLength);

    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`the WebSocket to ${url} did not open`));
    });
  },

  expect(bytes) {
    received = 0;
    expected = bytes;
    finished = new Promise((resolve) => (finish = resolve));
  },

  done() {
    return finished;
  },

  async path() {
    const pc = (peer as unknown as { _pc?: RTCPeerConnection } | null)?._pc;
    if (!pc) return socket ? 'TCP (WebSocket)' : 'nothing open';

    const stats = [...(await pc.getStats()).values()] as Record<string, unknown>[];
    const pair = stats.find((s) => s.type === 'candidate-pair' && s.nominated);
    const local = stats.find((s) => s.id === pair?.localCandidateId);
    if (!local) return 'no selected pair';

    // A relay candidate's own protocol is the relay's side (UDP); the hop to TURN is its own.
    if (local.relayProtocol) return `relay, TURN over ${String(local.relayProtocol)}`;
    return `${String(local.candidateType)} ${String(local.protocol)}`;
  },

  close() {
    peer?.destroy();
    socket?.close();
    peer = null;
    socket = null;
  },
};
