import { rmSync } from 'node:fs';
import { pino } from 'pino';
import type { Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  inboxOf,
  type Inbox,
  TECH,
  connectAgent,
  enrol,
  makeAgentKey,
  openSocket,
  request,
  signInCookie,
  startTestServer,
  startScene,
  type Scene,
  type TestAgentKey,
  type TestServer,
} from '../testing/harness.ts';
import { openDatabase } from '../storage/database.ts';

const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const ANSWER = { type: 'answer', sdp: 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n' };

describe('session broker over real sockets', () => {
  let t: TestServer;
  let key: TestAgentKey;
  let agent: Socket;
  let agentInbox: Inbox;
  let consoleSocket: Socket;
  let consoleInbox: Inbox;

  let scene: Scene;

  beforeEach(async () => {
    scene = await startScene();
    ({ t, key, agent, agentInbox, consoleSocket, consoleInbox } = scene);
  });

  afterEach(() => scene.stop());

  async function requestSession(): Promise<string> {
    const reply = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read'],
      reason: 'Detector error E-104',
    });
    expect(reply.ok).toBe(true);
    return (reply.session as { id: string }).id;
  }

  const stateOf = async (sessionId: string, state: string) =>
    consoleInbox.take('session.update', (m) => {
      const session = m.session as { id: string; state: string };
      return session.id === sessionId && session.state === state;
    });

  it('runs request, consent, signalling, connection and end', async () => {
    const hello = await consoleInbox.take('hello');
    expect((hello.user as { username: string }).username).toBe(TECH.username);

    const sessionId = await requestSession();
    await stateOf(sessionId, 'awaiting_consent');
    const asked = await agentInbox.take('session.request');
    expect(asked).toMatchObject({
      sessionId,
      capabilities: ['logs.read'],
      reason: 'Detector error E-104',
      technician: { username: TECH.username, displayName: TECH.displayName },
    });

    agent.emit('msg', { type: 'session.approve', sessionId, capabilities: ['logs.read'] });
    const approved = await stateOf(sessionId, 'approved');
    expect((approved.session as { granted: string[] }).granted).toEqual(['logs.read']);
    expect(await consoleInbox.take('session.connect')).toMatchObject({ sessionId, iceServers: [] });
    expect(await agentInbox.take('session.connect')).toMatchObject({ sessionId, iceServers: [] });

    consoleSocket.emit('msg', { type: 'signal', sessionId, attempt: 0, data: OFFER });
    expect(await agentInbox.take('signal')).toEqual({
      type: 'signal',
      sessionId,
      attempt: 0,
      data: OFFER,
    });
    await stateOf(sessionId, 'connecting');

    agent.emit('msg', { type: 'signal', sessionId, attempt: 0, data: ANSWER });
    expect(await consoleInbox.take('signal')).toEqual({
      type: 'signal',
      sessionId,
      attempt: 0,
      data: ANSWER,
    });

    agent.emit('msg', { type: 'session.connected', sessionId });
    await stateOf(sessionId, 'active');

    expect(await request(consoleSocket, { type: 'session.end', sessionId })).toEqual({ ok: true });
    const ended = await stateOf(sessionId, 'ended');
    expect(ended.session).toMatchObject({ endReason: 'ended_by_technician' });
    expect(await agentInbox.take('session.ended')).toMatchObject({
      sessionId,
      reason: 'ended_by_technician',
    });

    const actions = (await t.server.admin.listAudit(sessionId)).map((r) => [
      r.action,
      (r.detail as { to?: string }).to,
    ]);
    expect(actions).toEqual([
      ['session.requested', undefined],
      ['session.transition', 'awaiting_consent'],
      ['session.transition', 'approved'],
      ['session.transition', 'connecting'],
      ['session.transition', 'active'],
      ['session.transition', 'ended'],
    ]);
    expect(await t.server.admin.verifyAudit()).toMatchObject({ ok: true });
  });

  /** Requests, approves and connects a session; returns its ID. */
  async function activeSession(): Promise<string> {
    const sessionId = await requestSession();
    await agentInbox.take('session.request');
    agent.emit('msg', { type: 'session.approve', sessionId, capabilities: ['logs.read'] });
    await agentInbox.take('session.connect');
    await consoleInbox.take('session.connect');
    agent.emit('msg', { type: 'session.connected', sessionId });
    await stateOf(sessionId, 'active');
    return sessionId;
  }

  it('starts a new attempt when the console lost its path, and leaves out late signals', async () => {
    const sessionId = await activeSession();

    const retry = { type: 'session.retry', sessionId, mode: 'lost', detail: 'ICE failed' };
    expect(await request(consoleSocket, retry)).toEqual({ ok: true });
    const waiting = await stateOf(sessionId, 'reconnecting');
    expect(waiting.session).toMatchObject({ state: 'reconnecting' });
    expect(await agentInbox.take('session.connect')).toMatchObject({ sessionId, attempt: 1 });
    expect(await consoleInbox.take('session.connect')).toMatchObject({ sessionId, attempt: 1 });

    // A signal of attempt 0 is late: it must not reach the agent's new peer.
    consoleSocket.emit('msg', { type: 'signal', sessionId, attempt: 0, data: OFFER });
    consoleSocket.emit('msg', { type: 'signal', sessionId, attempt: 1, data: OFFER });
    expect(await agentInbox.take('signal')).toMatchObject({ attempt: 1 });

    agent.emit('msg', { type: 'session.connected', sessionId });
    await stateOf(sessionId, 'active');
    const moves = (await t.server.admin.listAudit(sessionId))
      .map((r) => r.detail as { to?: string; detail?: string })
      .filter((d) => d.to === 'reconnecting' || d.to === 'active');
    expect(moves).toEqual([
      { from: 'connecting', to: 'active' },
      { from: 'active', to: 'reconnecting', detail: 'ICE failed' },
      { from: 'reconnecting', to: 'active' },
    ]);
  });

  it('holds a running session while its agent is away and resumes it when it returns', async () => {
    const sessionId = await activeSession();

    agent.close();
    await stateOf(sessionId, 'reconnecting');
    // Asked while the agent is away, the new attempt waits for the agent.
    await request(consoleSocket, { type: 'session.retry', sessionId, mode: 'lost' });

    agent = await connectAgent(t, key);
    agentInbox = inboxOf(agent);
    const hello = await agentInbox.take('hello');
    expect(hello).toMatchObject({ openSessionIds: [sessionId], reconnectGraceSeconds: 60 });

    agent.emit('msg', { type: 'session.resume', sessionId, connected: false });
    expect(await agentInbox.take('session.connect')).toMatchObject({ sessionId, attempt: 1 });
    expect(await consoleInbox.take('session.connect')).toMatchObject({ sessionId, attempt: 1 });

    agent.emit('msg', { type: 'session.resume', sessionId, connected: true });
    await stateOf(sessionId, 'active');
  });

  it('ends sessions with agent_offline when the agent disconnects before they run', async () => {
    const sessionId = await requestSession();
    await agentInbox.take('session.request');

    agent.close();
    const ended = await stateOf(sessionId, 'ended');
    expect(ended.session).toMatchObject({ endReason: 'agent_offline' });
    const update = await consoleInbox.take(
      'agent.update',
      (m) => !(m.agent as { online: boolean }).online,
    );
    expect((update.agent as { id: string }).id).toBe(key.agentId);
  });

  it('passes on a denial and a consent timeout with their reasons', async () => {
    const first = await requestSession();
    agent.emit('msg', { type: 'session.deny', sessionId: first, reason: 'denied' });
    expect((await stateOf(first, 'ended')).session).toMatchObject({ endReason: 'denied' });

    const second = await requestSession();
    agent.emit('msg', { type: 'session.deny', sessionId: second, reason: 'consent_timeout' });
    expect((await stateOf(second, 'ended')).session).toMatchObject({
      endReason: 'consent_timeout',
    });
  });

  it('passes on an end by the facility', async () => {
    const sessionId = await requestSession();
    agent.emit('msg', { type: 'session.approve', sessionId, capabilities: ['logs.read'] });
    await stateOf(sessionId, 'approved');

    agent.emit('msg', { type: 'session.end', sessionId, reason: 'ended_by_facility' });
    expect((await stateOf(sessionId, 'ended')).session).toMatchObject({
      endReason: 'ended_by_facility',
    });
  });

  it("passes on the console's own failure", async () => {
    const sessionId = await requestSession();
    const end = { type: 'session.end', sessionId, reason: 'failed', detail: 'ICE failed' };
    expect(await request(consoleSocket, end)).toEqual({ ok: true });

    expect(await agentInbox.take('session.ended')).toMatchObject({
      sessionId,
      reason: 'failed',
      detail: 'ICE failed',
    });
  });

  it('refuses a request for an offline agent', async () => {
    agent.close();
    await consoleInbox.take('agent.update', (m) => !(m.agent as { online: boolean }).online);

    const reply = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read'],
      reason: '',
    });
    expect(reply).toMatchObject({ ok: false, code: 'agent_offline' });
  });

  it('answers a malformed message with an error and stays up', async () => {
    consoleSocket.emit('msg', { type: 'session.request', agentId: 42 });
    expect(await consoleInbox.take('error')).toMatchObject({ code: 'bad_request' });

    agent.emit('msg', { type: 'signal', sessionId: 'x', data: { type: 'offer' } });
    expect(await agentInbox.take('error')).toMatchObject({ code: 'bad_request' });

    consoleSocket.emit('msg', 'not even an object');
    expect(await consoleInbox.take('error')).toMatchObject({ code: 'bad_request' });

    // An unknown type is dropped; the connection and the server carry on.
    consoleSocket.emit('msg', { type: 'something.new' });
    const sessionId = await requestSession();
    expect(sessionId).toMatch(/^ses-/);
  });

  it('refuses signals before approval and steps outside the state machine', async () => {
    const sessionId = await requestSession();
    const early = await request(consoleSocket, {
      type: 'signal',
      sessionId,
      attempt: 0,
      data: OFFER,
    });
    expect(early).toMatchObject({ ok: false, code: 'invalid_state' });

    agent.emit('msg', { type: 'session.connected', sessionId });
    expect(await agentInbox.take('error')).toMatchObject({ code: 'invalid_state', sessionId });
  });

  it('lets only the session technician end it or signal on it', async () => {
    const sessionId = await requestSession();
    await t.server.admin.ensureUser({ ...TECH, username: 'other', displayName: 'Other Tech' });
    const res = await fetch(`${t.server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'other', password: TECH.password }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const other = await openSocket(`${t.server.url}/console`, { cookie });

    try {
      expect(
        await request(other, { type: 'session.retry', sessionId, mode: 'lost' }),
      ).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
      expect(await request(other, { type: 'session.end', sessionId })).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
      const signal = { type: 'signal', sessionId, attempt: 0, data: OFFER };
      expect(await request(other, signal)).toMatchObject({
        ok: false,
        code: 'forbidden',
      });
    } finally {
      other.close();
    }
  });

  it('sends open sessions again to a console that reconnects', async () => {
    const sessionId = await requestSession();
    const cookie = await signInCookie(t);
    const reloaded = await openSocket(`${t.server.url}/console`, { cookie });
    const inbox = inboxOf(reloaded);

    try {
      const update = await inbox.take('session.update');
      expect(update.session).toMatchObject({ id: sessionId, state: 'awaiting_consent' });
    } finally {
      reloaded.close();
    }
  });
});

describe('session broker timers and restarts', () => {
  it('ends a session whose agent stays away past the reconnect grace, in words', async () => {
    const scene = await startScene({ reconnectGraceMs: 1000 });
    const { key, agent, agentInbox, consoleSocket, consoleInbox } = scene;

    try {
      const reply = await request(consoleSocket, {
        type: 'session.request',
        agentId: key.agentId,
        capabilities: ['logs.read'],
        reason: '',
      });
      const sessionId = (reply.session as { id: string }).id;
      await agentInbox.take('session.request');
      agent.emit('msg', { type: 'session.approve', sessionId, capabilities: ['logs.read'] });
      await agentInbox.take('session.connect');
      agent.emit('msg', { type: 'session.connected', sessionId });
      await consoleInbox.take('session.update', (m) => {
        return (m.session as { state: string }).state === 'active';
      });
      agent.close();

      const ended = await consoleInbox.take('session.update', (m) => {
        return (m.session as { state: string }).state === 'ended';
      });
      expect(ended.session).toMatchObject({
        endReason: 'agent_offline',
        endDetail: 'The connection could not be restored within 1 second.',
      });
    } finally {
      await scene.stop();
    }
  });

  it('ends sessions with failed when the console stays away past the grace', async () => {
    const scene = await startScene({ consoleGraceMs: 200 });
    const { key, agentInbox, consoleSocket } = scene;

    try {
      const reply = await request(consoleSocket, {
        type: 'session.request',
        agentId: key.agentId,
        capabilities: ['logs.read'],
        reason: '',
      });
      const sessionId = (reply.session as { id: string }).id;
      consoleSocket.close();

      const ended = await agentInbox.take('session.ended');
      expect(ended).toMatchObject({
        sessionId,
        reason: 'failed',
        detail: 'the console disconnected',
      });
    } finally {
      await scene.stop();
    }
  });

  it('ends sessions on a clean stop, and those a crash left open on the next start', async () => {
    const first = await startTestServer();
    const key = await makeAgentKey();
    await enrol(first, key);
    const agent = await connectAgent(first, key);
    const consoleSocket = await openSocket(`${first.server.url}/console`, {
      cookie: await signInCookie(first),
    });
    const reply = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read'],
      reason: '',
    });
    const sessionId = (reply.session as { id: string }).id;
    consoleSocket.close();
    agent.close();
    await first.server.close();
    const afterStop = await startTestServer({ dataDir: first.dataDir });
    const stopped = (await afterStop.server.admin.listAudit(sessionId)).at(-1);
    expect(stopped?.detail).toMatchObject({ to: 'ended', detail: 'the server is shutting down' });
    await afterStop.server.close();

    // A clean stop ends the session; make the row look as a crash would have left it.
    const db = await openDatabase(first.dataDir, pino({ level: 'silent' }));
    await db
      .updateTable('sessions')
      .set({ state: 'active', end_reason: null, end_detail: null })
      .where('id', '=', sessionId)
      .execute();
    await db.destroy();

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      const last = (await second.server.admin.listAudit(sessionId)).at(-1);
      expect(last?.detail).toEqual({
        from: 'active',
        to: 'ended',
        reason: 'failed',
        detail: 'server restarted',
      });
      expect(await second.server.admin.verifyAudit()).toMatchObject({ ok: true });
    } finally {
      await second.stop();
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  });
});
