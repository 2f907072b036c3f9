import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Capability } from '../../shared/capabilities.ts';
import type { AgentToServer } from '../../shared/protocol/agent.ts';
import { startAccess, type Access } from '../access/wiring.ts';
import { silentLogger } from '../log.ts';
import { DEFAULT_POLICY, type Policy } from '../policy.ts';
import { SessionRegistry } from '../session/registry.ts';
import { CapabilityFlow } from './capability-flow.ts';
import { ConsentFlow } from './flow.ts';
import { buildConsentState } from './state.ts';

const TECHNICIAN = { username: 'tech', displayName: 'Tess Tech', organisation: 'Service Co' };

/** A registry with session s1 approved for `granted`, and a capability flow over it. */
function setUp(granted: Capability[], policy: Partial<Policy> = {}) {
  const registry = new SessionRegistry();
  const sent: AgentToServer[] = [];
  const send = (message: AgentToServer) => void sent.push(message);
  const full = { ...DEFAULT_POLICY, ...policy };
  const dataDir = mkdtempSync(join(tmpdir(), 'capability-flow-'));
  const access = startAccess({ policy: full, dataDir, log: silentLogger() });
  const options = { registry, policy: full, access: access.gate, send, log: silentLogger() };
  const sessions = new ConsentFlow(options);
  const flow = new CapabilityFlow(options);
  sessions.request({
    type: 'session.request',
    sessionId: 's1',
    technician: TECHNICIAN,
    capabilities: granted,
    reason: 'NIBP errors on ward 3',
    requestedAt: new Date().toISOString(),
  });
  sessions.approve('s1', granted);
  sent.length = 0;
  const grants: Capability[][] = [];
  registry.on('granted', (session) => grants.push([...session.granted]));

  return { registry, sent, flow, grants, access };
}

function state(registry: SessionRegistry, access: Access, viewing = false) {
  return buildConsentState(registry, {
    facilityName: 'Demo Facility',
    agentId: 'ag-1',
    agentName: 'Service PC',
    online: true,
    grantedByDefault: ['logs.read', 'screen.view'],
    viewing: () => viewing,
    access: access.view(),
    startedByCode: () => false,
  });
}

describe('CapabilityFlow', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('asks staff for what policy allows and grants the union on approval', () => {
    const { registry, sent, flow, grants, access } = setUp(['logs.read', 'screen.view']);
    flow.request('s1', ['screen.control']);

    expect(state(registry, access).pending).toEqual([
      expect.objectContaining({
        kind: 'capability',
        sessionId: 's1',
        requested: ['screen.control'],
        grantable: ['screen.control'],
        preselected: ['screen.control'],
      }),
    ]);
    expect(() => flow.approve('s1', ['terminal'])).toThrow('Only screen.control may be granted');
    flow.approve('s1', ['screen.control']);

    expect(sent).toEqual([
      {
        type: 'capability.grant',
        sessionId: 's1',
        granted: ['logs.read', 'screen.view', 'screen.control'],
        requested: ['screen.control'],
      },
    ]);
    expect(grants).toEqual([['logs.read', 'screen.view', 'screen.control']]);
    const running = state(registry, access, true).active[0];
    expect(running).toMatchObject({ viewing: true, controlling: true, viaCode: false });
    expect(state(registry, access).pending).toEqual([]);
  });

  it('refuses a whole request, in words, when policy does not allow part of it', () => {
    const { registry, sent, flow, access } = setUp(['logs.read'], {
      allowedCapabilities: ['logs.read', 'screen.view'],
    });
    flow.request('s1', ['screen.view', 'screen.control']);
    flow.request('s1', ['terminal']);

    expect(sent).toEqual([
      {
        type: 'capability.deny',
        sessionId: 's1',
        requested: ['screen.view', 'screen.control'],
        reason: 'denied',
        detail: 'This facility does not allow remote control.',
      },
      {
        type: 'capability.deny',
        sessionId: 's1',
        requested: ['terminal'],
        reason: 'denied',
        detail: 'This facility does not allow a diagnostics terminal.',
      },
    ]);
    expect(state(registry, access).pending).toEqual([]);
  });

  it('denies at once what policy refuses, a second request, or a session it does not have', () => {
    const { sent, flow } = setUp(['logs.read'], { allowedCapabilities: ['logs.read'] });
    flow.request('s1', ['screen.view']);
    flow.request('gone', ['screen.view']);

    expect(sent).toEqual([
      {
        type: 'capability.deny',
        sessionId: 's1',
        requested: ['screen.view'],
        reason: 'denied',
        detail: 'This facility does not allow viewing the service computer screen.',
      },
      {
        type: 'capability.deny',
        sessionId: 'gone',
        requested: ['screen.view'],
        reason: 'denied',
        detail: 'This session is not running at the facility.',
      },
    ]);

    const other = setUp(['logs.read']);
    other.flow.request('s1', ['screen.view']);
    other.flow.request('s1', ['screen.control']);
    expect(other.sent).toEqual([
      expect.objectContaining({
        type: 'capability.deny',
        requested: ['screen.control'],
        detail: 'An earlier request is still waiting for the facility.',
      }),
    ]);
  });

  it('answers a request for what the session already has with its grant', () => {
    const { sent, flow } = setUp(['logs.read', 'screen.view']);
    flow.request('s1', ['screen.view']);

    expect(sent).toEqual([
      {
        type: 'capability.grant',
        sessionId: 's1',
        granted: ['logs.read', 'screen.view'],
        requested: ['screen.view'],
      },
    ]);
  });

  it('sends denied or consent_timeout, and the session keeps what it had', () => {
    const { registry, sent, flow, grants } = setUp(['logs.read'], { consentTimeoutSeconds: 2 });
    flow.request('s1', ['screen.view']);
    flow.deny('s1');
    flow.request('s1', ['screen.view']);
    vi.advanceTimersByTime(2000);

    expect(sent).toEqual([
      { type: 'capability.deny', sessionId: 's1', requested: ['screen.view'], reason: 'denied' },
      {
        type: 'capability.deny',
        sessionId: 's1',
        requested: ['screen.view'],
        reason: 'consent_timeout',
      },
    ]);
    expect(grants).toEqual([]);
    expect(registry.get('s1')?.granted).toEqual(['logs.read']);
    expect(() => flow.approve('s1', ['screen.view'])).toThrow('no longer open');
  });

  it('takes a capability back, and control along with the view', () => {
    const { sent, flow, grants } = setUp(['logs.read', 'screen.view', 'screen.control']);
    flow.revoke('s1', 'screen.view');

    expect(sent).toEqual([
      { type: 'capability.grant', sessionId: 's1', granted: ['logs.read'], requested: [] },
    ]);
    expect(grants).toEqual([['logs.read']]);
    expect(() => flow.revoke('s1', 'screen.control')).toThrow('does not have that permission');
    expect(() => flow.revoke('gone', 'logs.read')).toThrow('This session has ended.');
  });
});
