import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { agentIdFromPublicKey, enrolmentPayload, proofPayload } from '../../shared/identity.ts';
import { startSignaling, type SignalingOptions, type SignalingServer } from '../server.ts';
import { freshTotpCode } from './totp-codes.ts';

/**
 * Helpers for tests that run the real server: a temporary data folder, real Ed25519 keys,
 * real sockets. Nothing here is mocked.
 */
export interface TestServer {
  server: SignalingServer;
  dataDir: string;
  facilityId: string;
  stop(): Promise<void>;
}

export const TECH = {
  username: 'tech',
  password: 'correct horse battery staple',
  displayName: 'Terry Tech',
  organisation: 'Tether Service',
  role: 'technician' as const,
};

/** An administrator; administrators must set up two-factor sign-in (see `signInWithTwoFactor`). */
export const ADMIN = {
  ...TECH,
  username: 'admin',
  displayName: 'Ada Admin',
  role: 'admin' as const,
};

export async function startTestServer(
  opts: Partial<SignalingOptions> & { dataDir?: string } = {},
): Promise<TestServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tether-signaling-'));
  const server = await startSignaling({
    port: 0,
    host: '127.0.0.1',
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    staticDir: join(dataDir, 'no-dist'),
    ...opts,
    dataDir,
  });
  const facility = await server.admin.ensureFacility('Test Facility');
  await server.admin.ensureUser(TECH);

  return {
    server,
    dataDir,
    facilityId: facility.id,
    stop: async () => {
      await server.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An agent's identity: a fresh Ed25519 key pair. */
export interface TestAgentKey {
  privateKey: KeyObject;
  publicKeyBase64: string;
  agentId: string;
}

export async function makeAgentKey(): Promise<TestAgentKey> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  const raw = Buffer.from(x, 'base64url');
  return {
    privateKey,
    publicKeyBase64: raw.toString('base64'),
    agentId: await agentIdFromPublicKey(new Uint8Array(raw)),
  };
}

export function signText(key: KeyObject, text: string): string {
  return sign(null, Buffer.from(text, 'utf8'), key).toString('base64');
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Enrols `key` with a fresh token for the facility; returns the response. */
export async function enrol(t: TestServer, key: TestAgentKey, token?: string): Promise<Response> {
  const useToken = token ?? (await t.server.admin.createEnrolmentToken(t.facilityId));
  return postJson(`${t.server.url}/api/agents/enrol`, {
    token: useToken,
    publicKey: key.publicKeyBase64,
    name: 'Radiology service PC',
    signature: signText(key.privateKey, enrolmentPayload(useToken, key.publicKeyBase64)),
  });
}

export async function challengeFor(t: TestServer, agentId: string): Promise<string> {
  const res = await postJson(`${t.server.url}/api/agents/challenge`, { agentId });
  const body = (await res.json()) as { challenge: string };
  return body.challenge;
}

/** Opens a socket and resolves once connected, or rejects with the connect_error message. */
export function openSocket(
  url: string,
  options: { auth?: Record<string, string>; cookie?: string; polling?: boolean },
): Promise<Socket> {
  const socket = connect(url, {
    // Browsers start with long-polling and upgrade; tests go straight to WebSocket unless asked.
    transports: options.polling ? ['polling', 'websocket'] : ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: options.cookie ? { cookie: options.cookie } : {},
  });
  inboxes.set(socket, new Inbox(socket));
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Proves `key` with a fresh challenge and connects on `/agent`. */
export async function connectAgent(t: TestServer, key: TestAgentKey): Promise<Socket> {
  const challenge = await challengeFor(t, key.agentId);
  const signature = signText(key.privateKey, proofPayload(key.agentId, challenge));
  return openSocket(`${t.server.url}/agent`, {
    auth: { agentId: key.agentId, challenge, signature },
  });
}

/** Signs in and returns the `name=value` cookie pair to send back. */
export async function signInCookie(t: TestServer, password = TECH.password): Promise<string> {
  const res = await postJson(`${t.server.url}/api/session`, { username: TECH.username, password });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

type Message = { type: string } & Record<string, unknown>;

const inboxes = new WeakMap<Socket, Inbox>();

/** The inbox attached to a socket from `openSocket` before it connected, so nothing is missed. */
export function inboxOf(socket: Socket): Inbox {
  const inbox = inboxes.get(socket);
  if (!inbox) throw new Error('socket was not opened with openSocket');
  return inbox;
}

/** Records every `msg` a socket receives, so a test can wait for one without racing. */
export class Inbox {
  readonly #messages: Message[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(socket: Socket) {
    socket.on('msg', (message: Message) => {
      this.#messages.push(message);
      for (const wake of this.#waiters) wake();
    });
  }

  /** Takes the first recorded message of `type` that matches, waiting for it if need be. */
  take(
    type: string,
    match: (m: Message) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<Message> {
    return new Promise((resolve, reject) => {
      const look = (): boolean => {
        const index = this.#messages.findIndex((m) => m.type === type && match(m));
        if (index < 0) return false;
        const [found] = this.#messages.splice(index, 1);
        resolve(found as Message);
        return true;
      };
      if (look()) return;

      const wake = (): void => {
        if (!look()) return;
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        reject(new Error(`no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }
}

/** Emits with an acknowledgement and resolves with the reply. */
export function request(socket: Socket, message: unknown): Promise<Record<string, unknown>> {
  return socket.timeout(5_000).emitWithAck('msg', message) as Promise<Record<string, unknown>>;
}

/** A running server with one enrolled, connected agent and one signed-in console. */
export interface Scene {
  t: TestServer;
  key: TestAgentKey;
  agent: Socket;
  agentInbox: Inbox;
  consoleSocket: Socket;
  consoleInbox: Inbox;
  stop(): Promise<void>;
}

/**
 * Sets up the usual scene for session tests, on a server started with `opts`; the console
 * has had its agent snapshot.
 */
export async function startScene(opts: Partial<SignalingOptions> = {}): Promise<Scene> {
  const t = await startTestServer(opts);
  const key = await makeAgentKey();
  const enrolled = await enrol(t, key);
  if (enrolled.status !== 200) throw new Error(`enrolment failed: ${enrolled.status}`);

  const agent = await connectAgent(t, key);
  const agentInbox = inboxOf(agent);
  const consoleSocket = await openSocket(`${t.server.url}/console`, {
    cookie: await signInCookie(t),
  });
  const consoleInbox = inboxOf(consoleSocket);
  await consoleInbox.take('agents.snapshot');

  return {
    t,
    key,
    agent,
    agentInbox,
    consoleSocket,
    consoleInbox,
    async stop() {
      agent.close();
      consoleSocket.close();
      await t.stop();
    },
  };
}

/** The usual scene, plus `ADMIN` signed in with two-factor sign-in set up. */
export interface AdminScene extends Scene {
  adminCookie: string;
}

export async function startAdminScene(): Promise<AdminScene> {
  const scene = await startScene();
  await scene.t.server.admin.ensureUser(ADMIN);
  const { cookie } = await signInWithTwoFactor(scene.t, ADMIN);

  return { ...scene, adminCookie: cookie };
}

/** A signed-in account with two-factor sign-in: its cookie and its authenticator secret. */
export interface TwoFactorSignIn {
  cookie: string;
  secret: string;
}

/**
 * Signs in over HTTP as a real browser would, for an account that uses two-factor
 * sign-in: sets it up on the first sign-in (as an administrator must), then answers the
 * code step with a code computed from `secret`.
 */
export async function signInWithTwoFactor(
  t: TestServer,
  account: { username: string; password: string },
  secret?: string,
): Promise<TwoFactorSignIn> {
  const base = t.server.url;
  const res = await postJson(`${base}/api/session`, account);
  const body = (await res.json()) as { step?: string; ticket?: string; setupRequired?: boolean };
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${JSON.stringify(body)}`);

  if (body.step === 'code_required') {
    if (!secret) throw new Error(`${account.username} has two-factor sign-in; pass its secret`);
    const code = await freshTotpCode(secret);
    const done = await postJson(`${base}/api/session/code`, { ticket: body.ticket, code });
    if (done.status !== 200) throw new Error(`code step failed: ${done.status}`);
    return { cookie: cookieOf(done), secret };
  }

  const cookie = cookieOf(res);
  const setup = await postJson(`${base}/api/account/two-factor/setup`, {}, { cookie });
  const made = (await setup.json()) as { secret: string };
  const code = await freshTotpCode(made.secret);
  const confirm = await postJson(`${base}/api/account/two-factor/confirm`, { code }, { cookie });
  if (confirm.status !== 200) throw new Error(`two-factor setup failed: ${confirm.status}`);

  return { cookie, secret: made.secret };
}

/** The `name=value` pair of a response's Set-Cookie. */
export function cookieOf(res: Response): string {
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
