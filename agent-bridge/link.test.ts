import {
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, type Socket } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { serverProofPayload, verifySignedText } from '../shared/identity.ts';
import type { ServerToAgent } from '../shared/protocol/agent.ts';
import { Backoff } from './backoff.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { ServerLink, type LinkState } from './link.ts';
import { silentLogger } from './log.ts';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/**
 * A small stand-in for the signaling server's agent side: it hands out single-use
 * challenges over HTTP and admits a socket only with an unused one. `refuseNext` makes
 * the next handshake fail the way a failed proof does.
 */
async function fakeServer(serverKey?: KeyObject) {
  const issued = new Set<string>();
  const used: string[] = [];
  const received: unknown[] = [];
  const sockets: Socket[] = [];
  let refuseNext = 0;

  const http: HttpServer = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/api/agents/challenge') {
      const challenge = randomBytes(24).toString('base64url');
      issued.add(challenge);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ challenge, expiresAt: new Date(Date.now() + 60_000).toISOString() }),
      );
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  const io = new Server(http);
  io.of('/agent').use((socket, next) => {
    const { challenge } = socket.handshake.auth as { challenge: string };
    if (refuseNext > 0 || !issued.delete(challenge)) {
      refuseNext -= 1;
      return next(new Error('The agent could not prove its identity.'));
    }
    used.push(challenge);
    next();
  });
  io.of('/agent').on('connection', (socket) => {
    sockets.push(socket);
    socket.on('msg', (message: unknown) => received.push(message));
    // Like the real server: the hello comes first, signed over the agent's nonce.
    const { agentId, serverNonce } = socket.handshake.auth as Record<string, string>;
    const proof = serverKey
      ? sign(null, Buffer.from(serverProofPayload(agentId!, serverNonce!)), serverKey)
      : undefined;
    socket.emit('msg', {
      type: 'hello',
      agentId,
      facility: { id: 'fac-1', name: 'Demo Facility' },
      openSessionIds: [],
      ...(proof ? { serverProof: proof.toString('base64') } : {}),
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => void io.close(() => resolve())));

  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    used,
    received,
    sockets,
    refuse: (times: number) => (refuseNext = times),
  };
}

async function startLink(url: string, trustedKey?: KeyObject) {
  const identity = await loadOrCreateIdentity(mkdtempSync(join(tmpdir(), 'link-')), silentLogger());
  const link = new ServerLink({
    serverUrl: url,
    identity,
    log: silentLogger(),
    inventory: () => [],
    backoff: new Backoff({ initialMs: 20, maxMs: 100 }),
    ...(trustedKey
      ? {
          trustServer: (hello: Extract<ServerToAgent, { type: 'hello' }>, nonce: string) =>
            verifySignedText(
              rawKey(trustedKey),
              serverProofPayload(hello.agentId, nonce),
              hello.serverProof ?? '',
            ),
        }
      : {}),
  });
  const states: LinkState[] = [];
  const messages: ServerToAgent[] = [];
  link.on('state', (state) => states.push(state));
  link.on('message', (message) => {
    if (message.type !== 'hello') messages.push(message);
  });
  closers.push(() => link.close());
  link.start();

  return { link, states, messages };
}

function rawKey(privateKey: KeyObject): string {
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return Buffer.from(jwk.x ?? '', 'base64url').toString('base64');
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('ServerLink', () => {
  it('proves itself, reports its inventory and passes on only valid messages', async () => {
    const server = await fakeServer();
    const { link, messages } = await startLink(server.url);

    await until(() => link.online);
    await until(() => server.received.length > 0);
    expect(server.received[0]).toEqual({ type: 'agent.inventory', devices: [] });

    const socket = server.sockets[0]!;
    socket.emit('msg', { type: 'session.ended', sessionId: 's1' });
    socket.emit('msg', { type: 'something.new' });
    socket.emit('msg', {
      type: 'session.ended',
      sessionId: 's1',
      reason: 'ended_by_technician',
      detail: null,
    });
    await until(() => messages.length > 0);
    expect(messages).toEqual([
      { type: 'session.ended', sessionId: 's1', reason: 'ended_by_technician', detail: null },
    ]);
  });

  it('retries a refused handshake and signs a fresh challenge on every attempt', async () => {
    const server = await fakeServer();
    server.refuse(2);
    const { link, states } = await startLink(server.url);

    await until(() => link.online);
    expect(states.filter((s) => s === 'connecting')).toHaveLength(3);

    server.sockets[0]!.disconnect(true);
    await until(() => server.used.length === 2 && link.online);
    expect(new Set(server.used).size).toBe(2);
    expect(states.slice(-3)).toEqual(['offline', 'connecting', 'online']);
  });

  it('goes online only once the server signs its nonce with the pinned key', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const server = await fakeServer(privateKey);
    const { link } = await startLink(server.url, privateKey);

    await until(() => link.online);
    // Online is set as the inventory is sent; it reaches the server a moment later.
    await until(() => server.received.length > 0);
    expect(server.received[0]).toEqual({ type: 'agent.inventory', devices: [] });
  });

  it('drops a server that cannot prove the pinned key, before it hears anything', async () => {
    const impostor = generateKeyPairSync('ed25519').privateKey;
    const pinned = generateKeyPairSync('ed25519').privateKey;
    const server = await fakeServer(impostor);
    const { link, states } = await startLink(server.url, pinned);
    let untrusted = 0;
    link.on('untrusted', () => (untrusted += 1));

    await until(() => untrusted >= 2);
    expect(link.online).toBe(false);
    expect(states).not.toContain('online');
    expect(server.received).toEqual([]);
  });
});
