import type { Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  request,
  startScene,
  type Inbox,
  type Scene,
  type TestAgentKey,
  type TestServer,
} from '../testing/harness.ts';

describe('capability requests in a running session', () => {
  let t: TestServer;
  let key: TestAgentKey;
  let agent: Socket;
  let agentInbox: Inbox;
  let consoleSocket: Socket;
  let consoleInbox: Inbox;
  let sessionId: string;
  let scene: Scene;

  beforeEach(async () => {
    scene = await startScene();
    ({ t, key, agent, agentInbox, consoleSocket, consoleInbox } = scene);

    const reply = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read', 'screen.view'],
      reason: '',
    });
    sessionId = (reply.session as { id: string }).id;
    await agentInbox.take('session.request');
    agent.emit('msg', {
      type: 'session.approve',
      sessionId,
      capabilities: ['logs.read', 'screen.view'],
    });
    await agentInbox.take('session.connect');
    agent.emit('msg', { type: 'session.connected', sessionId });
    await grantedIs(['logs.read', 'screen.view'], 'active');
  });

  afterEach(() => scene.stop());

  const grantedIs = (granted: string[], state = 'active') =>
    consoleInbox.take('session.update', (m) => {
      const s = m.session as { id: string; state: string; granted: string[] };
      return s.id === sessionId && s.state === state && s.granted.join() === granted.join();
    });

  it('passes a request to the agent and the grant back to the console', async () => {
    const reply = await request(consoleSocket, {
      type: 'capability.request',
      sessionId,
      capabilities: ['screen.control'],
    });
    expect(reply).toEqual({ ok: true });
    expect(await agentInbox.take('capability.request')).toEqual({
      type: 'capability.request',
      sessionId,
      capabilities: ['screen.control'],
    });

    agent.emit('msg', {
      type: 'capability.grant',
      sessionId,
      granted: ['logs.read', 'screen.view', 'screen.control'],
      requested: ['screen.control'],
    });
    await grantedIs(['logs.read', 'screen.view', 'screen.control']);
    expect(await consoleInbox.take('capability.answer')).toMatchObject({
      sessionId,
      capabilities: ['screen.control'],
      granted: true,
    });

    const actions = (await t.server.admin.listAudit(sessionId)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['capability.requested', 'capability.changed']));
  });

  it('tells the console in words when staff deny', async () => {
    await request(consoleSocket, {
      type: 'capability.request',
      sessionId,
      capabilities: ['screen.control'],
    });
    await agentInbox.take('capability.request');

    agent.emit('msg', {
      type: 'capability.deny',
      sessionId,
      requested: ['screen.control'],
      reason: 'denied',
    });
    expect(await consoleInbox.take('capability.answer')).toMatchObject({
      granted: false,
      detail: 'The facility denied the request.',
    });
  });

  it('never lets an agent widen a session beyond what was asked', async () => {
    agent.emit('msg', {
      type: 'capability.grant',
      sessionId,
      granted: ['logs.read', 'screen.view', 'terminal'],
      requested: [],
    });
    await grantedIs(['logs.read', 'screen.view']);
  });

  it('takes access back when staff revoke it', async () => {
    agent.emit('msg', {
      type: 'capability.grant',
      sessionId,
      granted: ['logs.read'],
      requested: [],
    });
    await grantedIs(['logs.read']);
  });

  it('refuses a request for access the session already has', async () => {
    const reply = await request(consoleSocket, {
      type: 'capability.request',
      sessionId,
      capabilities: ['screen.view'],
    });
    expect(reply).toMatchObject({ ok: false, code: 'invalid_state' });
  });
});
