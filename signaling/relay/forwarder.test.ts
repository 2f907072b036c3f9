import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proofPayload } from '../../shared/identity.ts';
import { MESSAGE_EVENT } from '../../shared/protocol/console.ts';
import { asBytes } from '../../shared/relay/bytes.ts';
import {
  MAX_RELAY_FRAME_BYTES,
  RELAY_FRAME_EVENT,
  RELAY_NAMESPACE,
  RELAY_PATH,
  RELAY_TOOK_EVENT,
  RELAY_WINDOW,
} from '../../shared/relay/protocol.ts';
import {
  challengeFor,
  request,
  signInCookie,
  signText,
  startScene,
  type Scene,
} from '../testing/harness.ts';

/** Stands in for a public key or signature: the server forwards these without reading them. */
const opaque = (): string => randomBytes(64).toString('base64');

/** Connects to the relay's own socket.io server, as the console or as the agent. */
function relaySocket(
  scene: Scene,
  options: { cookie?: string; auth?: Record<string, string> },
): Promise<Socket> {
  const socket = io(`${scene.t.server.url}${RELAY_NAMESPACE}`, {
    path: RELAY_PATH,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: options.cookie ? { cookie: options.cookie } : {},
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** The next `event` on `socket`, or an error once `ms` have passed. */
function next<T>(socket: Socket, event: string, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (value: T) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** An approved session with its relay open: the console's and the agent's relay sockets. */
async function openRelay(scene: Scene): Promise<{ consoleEnd: Socket; agentEnd: Socket }> {
  const asked = await request(scene.consoleSocket, {
    type: 'session.request',
    agentId: scene.key.agentId,
    capabilities: ['logs.read'],
    reason: 'relay forwarding test',
  });
  const sessionId = (asked.session as { id: string }).id;
  await scene.agentInbox.take('session.request');
  scene.agent.emit(MESSAGE_EVENT, {
    type: 'session.approve',
    sessionId,
    capabilities: ['logs.read'],
  });
  await scene.agentInbox.take('session.connect');

  const consoleEnd = await relaySocket(scene, { cookie: await signInCookie(scene.t) });
  const opened = await request(consoleEnd, { type: 'relay.open', sessionId, consoleKey: opaque() });
  expect(opened.ok).toBe(true);
  await scene.agentInbox.take('relay.open');

  const challenge = await challengeFor(scene.t, scene.key.agentId);
  const agentEnd = await relaySocket(scene, {
    auth: {
      agentId: scene.key.agentId,
      challenge,
      signature: signText(scene.key.privateKey, proofPayload(scene.key.agentId, challenge)),
    },
  });
  const accepted = next<{ type: string }>(consoleEnd, MESSAGE_EVENT);
  const joined = await request(agentEnd, {
    type: 'relay.join',
    sessionId,
    agentKey: opaque(),
    signature: opaque(),
  });
  expect(joined.ok).toBe(true);
  expect((await accepted).type).toBe('relay.accept');

  return { consoleEnd, agentEnd };
}

describe('relay forwarder', () => {
  let scene: Scene;
  let sockets: Socket[];

  beforeEach(async () => {
    scene = await startScene();
    const relay = await openRelay(scene);
    sockets = [relay.consoleEnd, relay.agentEnd];
  });

  afterEach(async () => {
    for (const socket of sockets) socket.close();
    await scene.stop();
  });

  it('forwards frames unread, and tells the sender how many the other end took', async () => {
    const [consoleEnd, agentEnd] = sockets as [Socket, Socket];
    const frame = randomBytes(MAX_RELAY_FRAME_BYTES);

    const arrived = next<unknown>(agentEnd, RELAY_FRAME_EVENT);
    consoleEnd.emit(RELAY_FRAME_EVENT, frame);
    expect(Buffer.from(asBytes(await arrived) ?? [])).toEqual(frame);

    const took = next<unknown>(consoleEnd, RELAY_TOOK_EVENT);
    agentEnd.emit(RELAY_TOOK_EVENT, 1);
    expect(await took).toBe(1);
  });

  it('ends the relay, in words to both ends, when one end says it took frames never sent', async () => {
    const [consoleEnd, agentEnd] = sockets as [Socket, Socket];
    const told = [consoleEnd, agentEnd].map((s) => next<{ message: string }>(s, MESSAGE_EVENT));

    agentEnd.emit(RELAY_FRAME_EVENT, randomBytes(16));
    consoleEnd.emit(RELAY_TOOK_EVENT, 2);

    for (const message of await Promise.all(told)) {
      expect(message).toMatchObject({
        type: 'relay.closed',
        message: 'The console acknowledged relay frames it was never sent.',
      });
    }
  });

  it('cuts off a sender that ignores the window', async () => {
    const [consoleEnd] = sockets as [Socket, Socket];
    const told = next<{ message: string }>(consoleEnd, MESSAGE_EVENT);

    for (let i = 0; i <= RELAY_WINDOW * 2; i += 1)
      consoleEnd.emit(RELAY_FRAME_EVENT, randomBytes(16));

    expect(await told).toMatchObject({
      type: 'relay.closed',
      message: 'The console sent faster than the relay allows.',
    });
  });

  it('ends the relay on a frame larger than a relay frame may be', async () => {
    const [consoleEnd, agentEnd] = sockets as [Socket, Socket];
    const told = next<{ message: string }>(agentEnd, MESSAGE_EVENT);

    consoleEnd.emit(RELAY_FRAME_EVENT, randomBytes(MAX_RELAY_FRAME_BYTES + 1));

    expect(await told).toMatchObject({
      type: 'relay.closed',
      message: 'The console sent a relay frame that was not allowed.',
    });
  });
});
