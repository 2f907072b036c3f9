import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request, startScene, type Scene } from '../testing/harness.ts';

const CODE = '482915337';

/** Everything SQLite holds on disk for the server, main file and write-ahead log. */
function databaseBytes(dataDir: string): string {
  return ['tether.db', 'tether.db-wal']
    .map((name) => join(dataDir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');
}

describe('access decided at the facility, through the server', () => {
  let scene: Scene;

  beforeEach(async () => {
    scene = await startScene();
  });
  afterEach(() => scene.stop());

  it('passes a one-time code to the agent once, and keeps only that one was used', async () => {
    const { t, key, agent, agentInbox, consoleSocket, consoleInbox } = scene;
    const reply = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read'],
      reason: 'Code from Ward 3',
      code: CODE,
    });
    const sessionId = (reply.session as { id: string }).id;

    expect(await agentInbox.take('session.request')).toMatchObject({ sessionId, code: CODE });
    agent.emit('msg', {
      type: 'session.approve',
      sessionId,
      capabilities: ['logs.read'],
      oneTimeCode: true,
    });
    await consoleInbox.take('session.update', (m) => {
      const session = m.session as { id: string; state: string };
      return session.id === sessionId && session.state === 'approved';
    });

    const audit = await t.server.admin.listAudit(sessionId);
    expect(audit.find((r) => r.action === 'session.requested')?.detail).toMatchObject({
      oneTimeCode: true,
    });
    expect(audit.find((r) => (r.detail as { to?: string }).to === 'approved')?.detail).toEqual({
      from: 'awaiting_consent',
      to: 'approved',
      detail: 'Approved with a one-time code made by facility staff.',
      granted: ['logs.read'],
    });
    expect(JSON.stringify(audit)).not.toContain(CODE);
    // The session's own words are on disk; the code is not.
    expect(databaseBytes(t.dataDir)).toContain('Code from Ward 3');
    expect(databaseBytes(t.dataDir)).not.toContain(CODE);
  });

  it('refuses a malformed code in words before it goes anywhere', async () => {
    const { key, consoleSocket } = scene;
    const reply = await request(consoleSocket, {
      type: 'session.request',
      agentId: key.agentId,
      capabilities: ['logs.read'],
      reason: '',
      code: '12345',
    });

    expect(reply).toMatchObject({
      ok: false,
      code: 'bad_request',
      message: expect.stringContaining('expected the 9 digits of a one-time code'),
    });
  });

  it("shows the agent's Remote access switch in the fleet and audits a change", async () => {
    const { t, key, agent, consoleInbox } = scene;
    const remoteAccessOf = (m: Record<string, unknown>) =>
      (m.agent as { remoteAccess?: string }).remoteAccess;

    agent.emit('msg', { type: 'agent.access', remoteAccess: 'off' });
    expect(remoteAccessOf(await consoleInbox.take('agent.update'))).toBe('off');
    agent.emit('msg', { type: 'agent.access', remoteAccess: 'on' });
    expect(remoteAccessOf(await consoleInbox.take('agent.update'))).toBe('on');

    agent.close();
    const offline = await consoleInbox.take(
      'agent.update',
      (m) => !(m.agent as { online: boolean }).online,
    );
    expect(remoteAccessOf(offline)).toBeUndefined();
    const changes = (await t.server.admin.listAudit())
      .filter((r) => r.action === 'agent.remote_access')
      .map((r) => [r.actor, r.detail]);
    expect(changes).toEqual([
      [`agent:${key.agentId}`, { remoteAccess: 'off' }],
      [`agent:${key.agentId}`, { remoteAccess: 'on' }],
    ]);
  });
});
