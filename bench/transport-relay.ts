import type { BrowserContext, Page } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import { proofPayload } from '../shared/identity.ts';
import { MESSAGE_EVENT } from '../shared/protocol/console.ts';
import { asBytes } from '../shared/relay/bytes.ts';
import { deriveRelayKeys, makeEphemeral, relayTranscript } from '../shared/relay/crypto.ts';
import { RelayEndpoint } from '../shared/relay/endpoint.ts';
import {
  RELAY_CHANNELS,
  RELAY_FRAME_EVENT,
  RELAY_NAMESPACE,
  RELAY_PATH,
  RELAY_TOOK_EVENT,
  RelayAck,
} from '../shared/relay/protocol.ts';
import {
  challengeFor,
  connectAgent,
  enrol,
  inboxOf,
  makeAgentKey,
  openSocket,
  request,
  signInCookie,
  signText,
  startTestServer,
  type TestAgentKey,
  type TestServer,
} from '../signaling/testing/harness.ts';
import type { BenchWindow } from './transport-page.ts';
import type { Sink } from './transport-send.ts';

const STEP_MS = 10_000;

/** One relay, open end to end: the agent's side sends, the page's side counts. */
export interface RelayTransport {
  sink: Sink;
  /** The page holding the console's end, served by the signaling server. */
  page: Page;
  close(): void;
}

/**
 * The relay rung's fixture, kept for all its transfers: the real signaling server (in
 * this process, serving the bench page as its console), an enrolled agent key online on
 * `/agent`, a signed-in technician, and the bench page opened with that technician's
 * cookie so that its socket.io connection is the console's own, same-origin one.
 */
export interface RelayRig {
  /** Requests and approves a fresh session and opens its relay end to end. */
  open(): Promise<RelayTransport>;
  stop(): Promise<void>;
}

/** Starts the relay's fixture, serving the built bench page from `pageDir`. */
export async function startRelayRig(pageDir: string, context: BrowserContext): Promise<RelayRig> {
  const t = await startTestServer({ staticDir: pageDir });
  const sockets: Socket[] = [];
  let page: Page | undefined;
  const stop = async (): Promise<void> => {
    for (const socket of sockets) socket.close();
    await page?.close().catch(() => undefined);
    await t.stop();
  };

  try {
    const key = await makeAgentKey();
    const enrolled = await enrol(t, key);
    if (enrolled.status !== 200) throw new Error(`enrolment answered ${enrolled.status}`);
    const agent = await connectAgent(t, key);
    sockets.push(agent);
    const cookie = await signInCookie(t);
    const technician = await openSocket(`${t.server.url}/console`, { cookie });
    sockets.push(technician);

    // The page's origin is the server's, as the console's is; the cookie goes with it.
    const origin = `http://127.0.0.1:${t.server.port}`;
    const [name = '', value = ''] = cookie.split(/=(.*)/s);
    await context.addCookies([{ name, value, url: origin }]);
    page = await context.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => '__benchTransport' in window, undefined, {
      timeout: STEP_MS,
    });

    const session = new BenchSessions(key, agent, technician);
    const relayPage = page;
    return {
      async open() {
        const sessionId = await session.approved();
        return openRelay(t, key, relayPage, agent, sessionId, () => session.end(sessionId));
      },
      async stop() {
        await session.ending;
        await stop();
      },
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Sessions as the broker runs them: the technician's console asks, the agent approves,
 * one at a time. The agent answers for itself here, as the real agent does once staff
 * click Approve.
 */
class BenchSessions {
  readonly #key: TestAgentKey;
  readonly #agent: Socket;
  readonly #technician: Socket;
  ending: Promise<unknown> = Promise.resolve();

  constructor(key: TestAgentKey, agent: Socket, technician: Socket) {
    this.#key = key;
    this.#agent = agent;
    this.#technician = technician;
  }

  async approved(): Promise<string> {
    await this.ending;
    const reply = await request(this.#technician, {
      type: 'session.request',
      agentId: this.#key.agentId,
      capabilities: ['logs.read'],
      reason: 'transport bench',
    });
    if (reply.ok !== true) throw new Error(`the session was refused: ${String(reply.message)}`);

    const sessionId = (reply.session as { id: string }).id;
    const forThis = (m: Record<string, unknown>): boolean => m.sessionId === sessionId;
    const agentInbox = inboxOf(this.#agent);
    await agentInbox.take('session.request', forThis, STEP_MS);
    this.#agent.emit(MESSAGE_EVENT, {
      type: 'session.approve',
      sessionId,
      capabilities: ['logs.read'],
    });
    await agentInbox.take('session.connect', forThis, STEP_MS);
    return sessionId;
  }

  /** Ends the session; the next one waits for that. */
  end(sessionId: string): void {
    this.ending = request(this.#technician, { type: 'session.end', sessionId }).catch(
      () => undefined,
    );
  }
}

/**
 * Opens the relay for `sessionId` from both ends at once: the page asks for it as the
 * console does (`relay.open`), the server tells the agent, and the agent joins.
 */
async function openRelay(
  t: TestServer,
  key: TestAgentKey,
  page: Page,
  agent: Socket,
  sessionId: string,
  endSession: () => void,
): Promise<RelayTransport> {
  const consoleEnd = page.evaluate(
    (id) => (window as BenchWindow).__benchTransport!.openRelay(id),
    sessionId,
  );
  consoleEnd.catch(() => undefined);
  try {
    const asked = await inboxOf(agent).take(
      'relay.open',
      (m) => m.sessionId === sessionId,
      STEP_MS,
    );
    const agentEnd = await joinAsAgent(t, key, sessionId, String(asked.consoleKey));
    await consoleEnd;
    agent.emit(MESSAGE_EVENT, { type: 'session.connected', sessionId });

    return {
      sink: agentEnd.sink,
      page,
      close() {
        agentEnd.close();
        endSession();
      },
    };
  } catch (error) {
    endSession();
    throw error;
  }
}

/**
 * The agent's end of the relay, wired as agent-bridge/relay/agent-relay.ts wires it: its
 * own connection to the relay namespace proved with a fresh signed challenge, an
 * ephemeral key, the transcript signed with the enrolled key, and frames reported as
 * taken both ways. AgentRelay itself cannot be used here: it hands its endpoint only to the
 * session it serves (log lines, pictures), so nothing outside can push raw bytes on it.
 * The bench's bytes go on the picture channel, the relay's bulk binary channel.
 */
async function joinAsAgent(
  t: TestServer,
  key: TestAgentKey,
  sessionId: string,
  consoleKey: string,
): Promise<{ sink: Sink; close(): void }> {
  const challenge = await challengeFor(t, key.agentId);
  const socket = await connectRelay(`${t.server.url}${RELAY_NAMESPACE}`, {
    agentId: key.agentId,
    challenge,
    signature: signText(key.privateKey, proofPayload(key.agentId, challenge)),
  });
  let failure: Error | null = null;

  try {
    const own = await makeEphemeral();
    const transcript = relayTranscript(sessionId, consoleKey, own.publicKey);
    const keys = await deriveRelayKeys('agent', own, consoleKey, transcript);
    const endpoint = new RelayEndpoint({
      keys,
      emit: (frame) => void socket.emit(RELAY_FRAME_EVENT, frame),
      took: (count) => void socket.emit(RELAY_TOOK_EVENT, count),
      deliver: () => undefined,
      failed: (error) => (failure = new Error(`the relay failed: ${error.message}`)),
    });
    socket.on(RELAY_FRAME_EVENT, (data: unknown) => {
      const bytes = asBytes(data);
      if (bytes) endpoint.receive(bytes);
    });
    socket.on(RELAY_TOOK_EVENT, (count: unknown) => endpoint.acknowledged(count));

    const reply = RelayAck.parse(
      await socket.timeout(STEP_MS).emitWithAck(MESSAGE_EVENT, {
        type: 'relay.join',
        sessionId,
        agentKey: own.publicKey,
        signature: signText(key.privateKey, transcript),
      }),
    );
    if (!reply.ok) throw new Error(`relay.join was refused: ${reply.message}`);

    return {
      sink: {
        send(chunk) {
          if (failure) throw failure;
          endpoint.send(RELAY_CHANNELS.picture, chunk);
        },
        bufferedAmount: () => endpoint.bufferedAmount,
      },
      close() {
        endpoint.close();
        socket.close();
      },
    };
  } catch (error) {
    socket.close();
    throw error;
  }
}

/** Connects to the relay's own socket.io server (RELAY_PATH) as the agent does. */
function connectRelay(url: string, auth: Record<string, string>): Promise<Socket> {
  const socket = io(url, {
    path: RELAY_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`the relay refused the agent: ${error.message}`));
    });
  });
}
