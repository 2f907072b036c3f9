import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSignIn } from '../../shared/access-password.ts';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import { ConsentFlow } from '../consent/flow.ts';
import { silentLogger } from '../log.ts';
import { DEFAULT_POLICY, type Policy } from '../policy.ts';
import { SessionRegistry } from '../session/registry.ts';
import type { UnattendedSettings } from './unattended-settings.ts';
import { clearAccessPassword, setAccessPassword, VERIFIER_FILE } from './unattended-verifier.ts';
import { startAccess } from './wiring.ts';

type SessionRequest = Extract<ServerToAgent, { type: 'session.request' }>;

const PASSWORD = 'maintenance night 42';
const TESS = { username: 'tess', displayName: 'Tess Tech', organisation: 'Service Co' };

function setUp(unattended: Partial<UnattendedSettings> = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'unattended-'));
  const policy: Policy = {
    ...DEFAULT_POLICY,
    access: {
      ...DEFAULT_POLICY.access,
      unattended: {
        ...DEFAULT_POLICY.access.unattended,
        enabled: true,
        technicians: ['tess'],
        ...unattended,
      },
    },
  };
  const registry = new SessionRegistry();
  const sent: AgentToServer[] = [];
  const access = startAccess({ policy, dataDir, log: silentLogger() });
  const flow = new ConsentFlow({
    registry,
    policy,
    access: access.gate,
    send: (message) => sent.push(message),
    log: silentLogger(),
  });
  return { dataDir, registry, sent, flow, access };
}

type Scene = ReturnType<typeof setUp>;

/** The browser's side and the agent's, joined as the server would join them. */
async function attempt(
  scene: Scene,
  sessionId: string,
  password: string,
  options: { technician?: typeof TESS; capabilities?: ['logs.read'] | ['screen.view'] } = {},
): Promise<AgentToServer | undefined> {
  const signIn = await startSignIn(password);
  const request: SessionRequest = {
    type: 'session.request',
    sessionId,
    technician: options.technician ?? TESS,
    capabilities: options.capabilities ?? ['logs.read'],
    reason: 'Night check',
    requestedAt: new Date().toISOString(),
    unattended: { ke1: signIn.ke1 },
  };
  scene.flow.request(request);
  const challenge = await expect
    .poll(() => scene.sent.find((m) => 'sessionId' in m && m.sessionId === sessionId))
    .toBeDefined()
    .then(() => scene.sent.find((m) => 'sessionId' in m && m.sessionId === sessionId));
  if (challenge?.type !== 'unattended.challenge') return challenge;

  const ke3 = await signIn.finish(challenge.ke2, sessionId);
  scene.flow.finishUnattended(sessionId, ke3 ?? undefined);
  return scene.sent.at(-1);
}

describe('unattended access', () => {
  it('approves at once with the right password and refuses a wrong one', async () => {
    const scene = setUp();
    await setAccessPassword(scene.dataDir, PASSWORD);

    expect(await attempt(scene, 's1', 'not the password')).toEqual({
      type: 'session.deny',
      sessionId: 's1',
      reason: 'denied',
      detail: 'The access password is wrong.',
    });
    expect(await attempt(scene, 's2', PASSWORD)).toEqual({
      type: 'session.approve',
      sessionId: 's2',
      capabilities: ['logs.read'],
      unattended: true,
    });
    expect(scene.flow.startedUnattended('s2')).toBe(true);
    expect(scene.registry.pending()).toEqual([]);
  }, 20_000);

  it('refuses an answer forged without the password, and one replayed into another session', async () => {
    const scene = setUp();
    await setAccessPassword(scene.dataDir, PASSWORD);
    const signIn = await startSignIn(PASSWORD);
    const ask = (sessionId: string): SessionRequest => ({
      type: 'session.request',
      sessionId,
      technician: TESS,
      capabilities: ['logs.read'],
      reason: '',
      requestedAt: new Date().toISOString(),
      unattended: { ke1: signIn.ke1 },
    });
    scene.flow.request(ask('s1'));
    await expect.poll(() => scene.sent.length).toBe(1);
    const challenge = scene.sent[0] as { ke2: string };
    // Finished as if for another session: the context differs, so the proof does not hold.
    const replayed = await signIn.finish(challenge.ke2, 's-other');
    expect(replayed).toBeNull();

    scene.flow.finishUnattended('s1', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    expect(scene.sent.at(-1)).toMatchObject({ detail: 'The access password is wrong.' });
  }, 20_000);

  it('slows down wrong passwords exponentially, for the whole agent', async () => {
    const scene = setUp();
    await setAccessPassword(scene.dataDir, PASSWORD);
    for (const id of ['w1', 'w2', 'w3']) {
      expect(await attempt(scene, id, 'wrong password!')).toMatchObject({
        detail: 'The access password is wrong.',
      });
    }

    const refused = await attempt(scene, 'w4', PASSWORD);
    expect(refused).toMatchObject({
      type: 'session.deny',
      detail: 'Too many wrong access passwords were tried for this agent. Try again in 8 seconds.',
    });
  }, 30_000);

  it('refuses in words by policy before any password is tried', async () => {
    const off = setUp({ enabled: false });
    expect(await attempt(off, 's1', PASSWORD)).toMatchObject({
      detail: 'This facility does not allow unattended access.',
    });

    const nobody = setUp({ technicians: [], organisations: [] });
    expect(await attempt(nobody, 's1', PASSWORD)).toMatchObject({
      detail: expect.stringContaining('names no technician or organisation'),
    });

    const other = setUp({ technicians: ['someone-else'] });
    const tom = { username: 'tom', displayName: 'Tom Tech', organisation: 'Other Co' };
    expect(await attempt(other, 's1', PASSWORD, { technician: tom })).toMatchObject({
      detail: 'This facility does not allow unattended access for Tom Tech (tom) of Other Co.',
    });
    const byOrganisation = setUp({ technicians: [], organisations: ['Service Co'] });
    expect(await attempt(byOrganisation, 's1', PASSWORD)).toMatchObject({
      detail: expect.stringContaining('No access password is set'),
    });

    const logsOnly = setUp();
    expect(
      await attempt(logsOnly, 's1', PASSWORD, { capabilities: ['screen.view'] }),
    ).toMatchObject({
      detail:
        'Unattended access at this facility allows only reading device logs. ' +
        'Ask for less, or ask the facility staff to approve the session.',
    });
  }, 20_000);

  it('refuses outside the maintenance window, naming when the next one opens', async () => {
    const closed = setUp({
      windows: [{ days: ['mon'], from: '00:00', to: '00:01' }],
      timeZone: 'Pacific/Auckland',
    });
    const refused = await attempt(closed, 's1', PASSWORD);

    expect(refused).toMatchObject({ type: 'session.deny', reason: 'denied' });
    expect((refused as { detail: string }).detail).toMatch(
      /^Unattended access is allowed only within the facility’s maintenance windows\. The next one opens on Monday \d+ [A-Z][a-z]+ at 00:00 \(Pacific\/Auckland time\), in .+\.$/,
    );
    expect(closed.registry.recent()[0]?.outcome).toContain('maintenance windows');
  });

  it('refuses everything while Remote access is off, even the right password', async () => {
    const scene = setUp();
    await setAccessPassword(scene.dataDir, PASSWORD);
    scene.access.remoteAccess.set(false);

    expect(await attempt(scene, 's1', PASSWORD)).toMatchObject({
      detail: 'Remote access is switched off at the facility.',
    });
  }, 20_000);

  it('keeps a verifier that never contains the password, readable by its owner only', async () => {
    const { dataDir } = setUp();
    const file = await setAccessPassword(dataDir, PASSWORD);

    expect(readdirSync(dataDir)).toContain(VERIFIER_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = readFileSync(file);
    expect(stored.includes(PASSWORD)).toBe(false);
    expect(stored.includes(Buffer.from(PASSWORD).toString('base64').slice(0, 12))).toBe(false);
    await expect(setAccessPassword(dataDir, 'too short')).rejects.toThrow(
      'The access password must be at least 12 characters long.',
    );
    expect(clearAccessPassword(dataDir)).toBe(true);
    expect(clearAccessPassword(dataDir)).toBe(false);
  }, 20_000);
});
