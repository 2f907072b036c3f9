import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import { startAccess } from '../access/wiring.ts';
import { silentLogger } from '../log.ts';
import { DEFAULT_POLICY, type Policy } from '../policy.ts';
import { SessionRegistry } from '../session/registry.ts';
import { ConsentFlow } from './flow.ts';

function request(
  sessionId: string,
  capabilities: string[],
  code?: string,
): ServerToAgent & { type: 'session.request' } {
  return {
    type: 'session.request',
    sessionId,
    technician: { username: 'tech', displayName: 'Tess Tech', organisation: 'Service Co' },
    capabilities: capabilities as ['logs.read'],
    reason: 'NIBP errors on ward 3',
    requestedAt: new Date().toISOString(),
    ...(code === undefined ? {} : { code }),
  };
}

const LOGS_ONLY: Partial<Policy> = {
  allowedCapabilities: ['logs.read'],
  grantedByDefault: ['logs.read'],
};

function setUp(policy: Partial<Policy> = {}) {
  const registry = new SessionRegistry();
  const sent: AgentToServer[] = [];
  const full = { ...DEFAULT_POLICY, ...policy };
  const dataDir = mkdtempSync(join(tmpdir(), 'consent-flow-'));
  const access = startAccess({ policy: full, dataDir, log: silentLogger() });
  const flow = new ConsentFlow({
    registry,
    policy: full,
    access: access.gate,
    send: (message) => sent.push(message),
    log: silentLogger(),
  });
  return { registry, sent, flow, access };
}

describe('ConsentFlow', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a request within policy pending, for staff to grant any part of it', () => {
    const { flow, registry, sent } = setUp();
    flow.request(request('s1', ['logs.read', 'screen.view']));

    expect(registry.pending().map((p) => [p.id, p.grantable])).toEqual([
      ['s1', ['logs.read', 'screen.view']],
    ]);
    expect(sent).toEqual([]);
  });

  it('refuses a request beyond policy at once and whole, saying what is not allowed', () => {
    const { flow, registry, sent } = setUp(LOGS_ONLY);
    flow.request(request('s1', ['logs.read', 'screen.control']));

    expect(sent).toEqual([
      {
        type: 'session.deny',
        sessionId: 's1',
        reason: 'denied',
        detail: 'This facility does not allow remote control.',
      },
    ]);
    expect(registry.pending()).toEqual([]);
    expect(registry.recent()[0]).toMatchObject({
      sessionId: 's1',
      reason: 'denied',
      outcome: 'The facility denied the request. This facility does not allow remote control.',
    });
  });

  it('refuses what policy allows but this agent cannot serve', () => {
    const { flow, sent } = setUp({ allowedCapabilities: ['logs.read', 'terminal'] });
    flow.request(request('s1', ['logs.read', 'terminal']));

    expect(sent).toEqual([
      expect.objectContaining({
        type: 'session.deny',
        detail: 'This facility agent cannot provide a diagnostics terminal.',
      }),
    ]);
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
    const { flow, registry, sent } = setUp({ consentTimeoutSeconds: 2 });
    flow.request(request('s1', ['logs.read']));

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

describe('ConsentFlow with the access gate', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('approves at once by a good code, with what was asked of it, and spends the code', () => {
    const { flow, registry, sent, access } = setUp();
    const { code } = access.gate.createCode(['logs.read', 'screen.view']);
    const changes: string[] = [];
    registry.on('change', () => changes.push(registry.get('s1')?.machine.state ?? 'none'));
    flow.request(request('s1', ['logs.read'], code));

    expect(sent).toEqual([
      { type: 'session.approve', sessionId: 's1', capabilities: ['logs.read'], oneTimeCode: true },
    ]);
    // Staff never see it as a question: it joins the registry already approved.
    expect(changes).toEqual(['approved']);
    expect(registry.pending()).toEqual([]);
    expect(flow.startedByCode('s1')).toBe(true);
    expect(access.codes.live()).toBeNull();

    flow.request(request('s2', ['logs.read'], code));
    expect(sent.at(-1)).toEqual({
      type: 'session.deny',
      sessionId: 's2',
      reason: 'denied',
      detail: 'This one-time code was already used. Ask the facility staff for a new one.',
    });
    registry.end('s1', 'ended_by_technician');
    expect(flow.startedByCode('s1')).toBe(false);
  });

  it('refuses a wrong or expired code, and a request beyond what the code allows', () => {
    const { flow, sent, access } = setUp();
    const { code } = access.gate.createCode(['logs.read']);
    const wrong = code === '000000000' ? '000000001' : '000000000';

    flow.request(request('s1', ['logs.read', 'screen.view'], code));
    flow.request(request('s2', ['logs.read'], wrong));
    vi.advanceTimersByTime(10 * 60_000);
    flow.request(request('s3', ['logs.read'], code));

    expect(sent.map((m) => (m.type === 'session.deny' ? m.detail : m.type))).toEqual([
      'The one-time code does not allow viewing the service computer screen. ' +
        'Ask for less, or ask the facility staff for a code that allows it.',
      'The one-time code is not valid. Check it with the facility staff.',
      'This one-time code has expired. Ask the facility staff for a new one.',
    ]);
  });

  it('slows down repeated wrong codes and tells the technician how long to wait', () => {
    const { flow, sent, access } = setUp();
    const { code } = access.gate.createCode(['logs.read']);
    const wrong = code === '111111111' ? '222222222' : '111111111';
    const detail = () => {
      const last = sent.at(-1);
      return last?.type === 'session.deny' ? last.detail : last?.type;
    };

    for (const id of ['w1', 'w2', 'w3']) flow.request(request(id, ['logs.read'], wrong));
    expect(detail()).toBe('The one-time code is not valid. Check it with the facility staff.');

    // After three wrong codes even the right one waits 2^3 seconds, unchecked.
    flow.request(request('r1', ['logs.read'], code));
    expect(detail()).toBe(
      'Too many wrong one-time codes were entered for this agent. Try again in 8 seconds.',
    );
    expect(access.view().codesRefusedUntil).not.toBeNull();
    vi.advanceTimersByTime(8000);
    flow.request(request('w4', ['logs.read'], wrong));
    flow.request(request('r2', ['logs.read'], code));
    expect(detail()).toBe(
      'Too many wrong one-time codes were entered for this agent. Try again in 16 seconds.',
    );

    vi.advanceTimersByTime(16_000);
    flow.request(request('r3', ['logs.read'], code));
    expect(detail()).toBe('session.approve');
    expect(access.view().codesRefusedUntil).toBeNull();
  });

  it('refuses every request and code while remote access is off, and pending ones at once', () => {
    const { flow, registry, sent, access } = setUp();
    flow.request(request('s1', ['logs.read']));
    const { code } = access.gate.createCode(['logs.read']);

    access.remoteAccess.set(false);
    flow.refuseAllPending('Remote access is switched off at the facility.');
    flow.request(request('s2', ['logs.read']));
    flow.request(request('s3', ['logs.read'], code));

    expect(sent).toEqual(
      ['s1', 's2', 's3'].map((sessionId) => ({
        type: 'session.deny',
        sessionId,
        reason: 'denied',
        detail: 'Remote access is switched off at the facility.',
      })),
    );
    expect(registry.pending()).toEqual([]);
    expect(() => access.gate.createCode(['logs.read'])).toThrow('Remote access is switched off');
  });

  it('asks for a code where policy allows no attended sessions, and refuses disabled codes', () => {
    const codesOnly = setUp({
      access: { ...DEFAULT_POLICY.access, attended: false },
    });
    codesOnly.flow.request(request('s1', ['logs.read']));
    expect(codesOnly.sent.at(-1)).toMatchObject({
      type: 'session.deny',
      detail: 'This facility accepts sessions only with a one-time code from its staff.',
    });

    const noCodes = setUp({
      access: {
        ...DEFAULT_POLICY.access,
        oneTimeCodes: { enabled: false, validMinutes: 10 },
      },
    });
    noCodes.flow.request(request('s1', ['logs.read'], '123456789'));
    expect(noCodes.sent.at(-1)).toMatchObject({
      type: 'session.deny',
      detail: 'This facility does not use one-time codes.',
    });
    expect(() => noCodes.access.gate.createCode(['logs.read'])).toThrow('turned off');
  });
});
