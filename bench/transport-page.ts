// First: simple-peer reads the Node globals `process` and `Buffer` while it loads.
import '../web/lib/node-shims.ts';
import SimplePeer from 'simple-peer';
import { io, type Socket } from 'socket.io-client';
import { SESSION_CHANNEL_LABEL } from '../shared/protocol/channel.ts';
import { MESSAGE_EVENT } from '../shared/protocol/console.ts';
import { asBytes } from '../shared/relay/bytes.ts';
import {
  deriveRelayKeys,
  makeEphemeral,
  relayTranscript,
  verifyAgentSignature,
} from '../shared/relay/crypto.ts';
import { RelayEndpoint } from '../shared/relay/endpoint.ts';
import {
  RELAY_FRAME_EVENT,
  RELAY_NAMESPACE,
  RELAY_PATH,
  RELAY_TOOK_EVENT,
  RelayOpenAck,
  RelayServerToClient,
} from '../shared/relay/protocol.ts';

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
  /**
   * Opens the console's end of the encrypted relay for `sessionId`, as the console does:
   * socket.io to the page's own server's relay namespace with the page's cookie, an
   * ephemeral key, the agent's signature checked against its enrolled key. Resolves once
   * the keys are agreed; every plaintext byte the endpoint delivers is counted.
   */
  openRelay(sessionId: string): Promise<void>;
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
let relay: { socket: Socket; endpoint: RelayEndpoint | null } | null = null;
let received = 0;
let expected = Infinity;
let finish: ((at: number) => void) | null = null;
let abort: ((error: Error) => void) | null = null;
let finished: Promise<number> = Promise.resolve(0);

function count(bytes: number): void {
  received += bytes;
  if (received >= expected && finish) {
    finish(Date.now());
    finish = null;
    abort = null;
  }
}

/** The transport broke: the transfer under way fails with `why`. */
function broken(why: string): void {
  abort?.(new Error(why));
  finish = null;
  abort = null;
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

  openRelay(sessionId) {
    const made = io(RELAY_NAMESPACE, {
      path: RELAY_PATH,
      withCredentials: true,
      transports: ['websocket'],
      reconnection: false,
    });
    const opened = { socket: made, endpoint: null as RelayEndpoint | null };
    relay = opened;
    // As the console does: the endpoint says which frames it took, which is the window.
    made.on(RELAY_FRAME_EVENT, (data: unknown) => {
      const bytes = asBytes(data);
      if (bytes) opened.endpoint?.receive(bytes);
    });
    made.on(RELAY_TOOK_EVENT, (count: unknown) => opened.endpoint?.acknowledged(count));

    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        made.disconnect();
        reject(new Error(why));
      };
      made.on('connect_error', (error) => fail(`the relay refused the page: ${error.message}`));
      made.on('disconnect', (reason) => broken(`the relay connection closed (${reason})`));
      made.on('connect', () => {
        void agreeRelay(made, sessionId).then(
          (endpoint) => {
            opened.endpoint = endpoint;
            resolve();
          },
          (error: unknown) => fail(String(error)),
        );
      });
    });
  },

  expect(bytes) {
    received = 0;
    expected = bytes;
    finished = new Promise((resolve, reject) => {
      finish = resolve;
      abort = reject;
    });
    // A transport that breaks fails `done`; until the bench asks, that is no error yet.
    finished.catch(() => undefined);
  },

  done() {
    return finished;
  },

  async path() {
    if (relay) return 'socket.io WebSocket via the signaling server';
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
    relay?.endpoint?.close();
    relay?.socket.disconnect();
    peer = null;
    socket = null;
    relay = null;
  },
};

/**
 * The console's half of the relay handshake (web/console/session/relay-link.ts does the
 * same, and then hands messages to the session): `relay.open` with an ephemeral key, the
 * agent's `relay.accept` checked against the enrolled key, one key per direction.
 */
async function agreeRelay(relaySocket: Socket, sessionId: string): Promise<RelayEndpoint> {
  const accepted = new Promise<{ agentKey: string; signature: string }>((resolve, reject) => {
    relaySocket.on(MESSAGE_EVENT, (raw: unknown) => {
      const message = RelayServerToClient.safeParse(raw);
      if (!message.success) return;
      if (message.data.type === 'relay.accept') return resolve(message.data);

      const why = `the relay closed: ${message.data.message}`;
      reject(new Error(why));
      broken(why);
    });
  });
  // Awaited below once `relay.open` is acknowledged; a refusal before then is reported there.
  accepted.catch(() => undefined);
  const own = await makeEphemeral();
  const raw: unknown = await relaySocket.timeout(10_000).emitWithAck(MESSAGE_EVENT, {
    type: 'relay.open',
    sessionId,
    consoleKey: own.publicKey,
  });
  const ack = RelayOpenAck.parse(raw);
  if (!ack.ok) throw new Error(`relay.open was refused: ${ack.message}`);

  const { agentKey, signature } = await accepted;
  const transcript = relayTranscript(sessionId, own.publicKey, agentKey);
  await verifyAgentSignature(ack.identityKey, transcript, signature);
  const keys = await deriveRelayKeys('console', own, agentKey, transcript);

  return new RelayEndpoint({
    keys,
    emit: (frame) => void relaySocket.emit(RELAY_FRAME_EVENT, frame),
    took: (count) => void relaySocket.emit(RELAY_TOOK_EVENT, count),
    deliver: (_channel, message) => count(message.byteLength),
    failed: (error) => broken(`the relay failed: ${error.message}`),
  });
}
