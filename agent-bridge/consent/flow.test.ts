import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import { silentLogger } from '../log.ts';
import { DEFAULT_POLICY, type Policy } from '../policy.ts';
import { SessionRegistry } from '../session/registry.ts';
import { ConsentFlow } from './flow.ts';

function request(
  sessionId: string,
  capabilities: string[],
): ServerToAgent & { type: 'session.request' } {
  return {
    type: 'session.request',
    sessionId,
    technician: { username: 'tech', displayName: 'Tess Tech', organisation: 'Service Co' },
    capabilities: capabilities as ['logs.read'],
    reason: 'NIBP errors on ward 3',
    requestedAt: new Date().toISOString(),
  };
}

const LOGS_ONLY: Partial<Policy> = {
  allowedCapabilities: ['logs.read'],
  grantedByDefault: ['logs.read'],
};

function setUp(policy: Partial<Policy> = {}) {
  const registry = new SessionRegistry();
  const sent: AgentToServer[] = [];
  const flow = new ConsentFlow({
    registry,
    policy: { ...DEFAULT_POLICY, ...policy },
    send: (message) => sent.push(message),
    log: silentLogger(),
  });
  return { registry, sent, flow };
}

describe('ConsentFlow', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a request pending with what policy lets staff grant', () => {
    const { flow, registry, sent } = setUp({ allowedCapabilities: ['logs.read', 'terminal'] });
    flow.request(request('s1', ['logs.read', 'terminal', 'screen.view']));

    // terminal is allowed by policy but not implemented in this build.
    expect(registry.pending().map((p) => [p.id, p.grantable])).toEqual([['s1', ['logs.read']]]);
    expect(sent).toEqual([]);
  });

  it('denies at once when policy allows nothing that was asked', () => {
    const { flow, registry, sent } = setUp(LOGS_ONLY);
    flow.request(request('s1', ['screen.control']));

    expect(sent).toEqual([
      {
        type: 'session.deny',
        sessionId: 's1',
        reason: 'denied',
        detail: 'Local policy does not allow: screen.control.',
      },
    ]);
    expect(registry.pending()).toEqual([]);
    expect(registry.recent()[0]).toMatchObject({ sessionId: 's1', reason: 'denied' });
  });

  it('sends consent_timeout when nobody answers in time', () => {
    const { flow, registry, sent } = setUp({ consentTimeoutSeconds: 2 });
    flow.request(request('s1', ['logs.read']));

    vi.advanceTimersByTime(1999);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);

    expect(sent).toEqual([{ type: 'session.deny', sessionId: 's1', reason: 'consent_timeout' }]);
    expect(registry.recent()[0]?.outcome).toBe(
      'Nobody at the facility answered the request in time.',
    );
    expect(() => flow.approve('s1', ['logs.read'])).toThrow('no longer open');
  });

  it('approves only a non-empty subset of what may be granted, and stops the clock', () => {
    const { flow, registry, sent } = setUp({ ...LOGS_ONLY, consentTimeoutSeconds: 2 });
    flow.request(request('s1', ['logs.read', 'screen.view']));

    expect(() => flow.approve('s1', ['screen.view'])).toThrow('Only logs.read may be granted');
    expect(() => flow.approve('s1', [])).toThrow('Only logs.read may be granted');
    flow.approve('s1', ['logs.read']);
    vi.advanceTimersByTime(5000);

    expect(sent).toEqual([
      { type: 'session.approve', sessionId: 's1', capabilities: ['logs.read'] },
    ]);
    expect(registry.get('s1')).toMatchObject({ granted: ['logs.read'] });
    expect(registry.get('s1')?.machine.state).toBe('approved');
    expect(() => flow.approve('s1', ['logs.read'])).toThrow('already answered');
  });

  it('sends denied when staff say no', () => {
    const { flow, registry, sent } = setUp();
    flow.request(request('s1', ['logs.read']));
    flow.deny('s1');

    expect(sent).toEqual([{ type: 'session.deny', sessionId: 's1', reason: 'denied' }]);
    expect(registry.recent()[0]?.outcome).toBe('The facility denied the request.');
  });

  it('forgets the deadline of a request the server ended', () => {
    const { flow, registry, sent } = setUp({ consentTimeoutSeconds: 2 });
    flow.request(request('s1', ['logs.read']));
    registry.end('s1', 'ended_by_technician');
    vi.advanceTimersByTime(5000);

    expect(sent).toEqual([]);
  });
});
