import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionMachine } from '../../shared/session-machine.ts';
import { loadOrCreateIdentity } from '../identity.ts';
import { silentLogger } from '../log.ts';
import { SessionRegistry } from '../session/registry.ts';
import { FacilityLedger } from './ledger.ts';
import { FacilityAuditRecorder } from './recorder.ts';
import { verifyLedger } from './verify.ts';

const TECH = { username: 'demo-tech', displayName: 'Demo Technician', organisation: 'Tether' };
let dir: string;
let ledger: FacilityLedger;
let registry: SessionRegistry;
let recorder: FacilityAuditRecorder;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tether-recorder-'));
  const identity = await loadOrCreateIdentity(dir, silentLogger());
  ledger = new FacilityLedger({
    dataDir: dir,
    identity,
    facility: () => 'Demo Facility',
    log: silentLogger(),
  });
  registry = new SessionRegistry();
  recorder = new FacilityAuditRecorder(ledger, registry);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function events(): Record<string, unknown>[] {
  return readFileSync(ledger.file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.kind === 'event');
}

function addSession(id: string): void {
  const now = new Date().toISOString();
  registry.add({
    id,
    technician: TECH,
    reason: 'annual service',
    requested: ['logs.read', 'screen.view'],
    grantable: ['logs.read', 'screen.view'],
    granted: [],
    requestedAt: now,
    expiresAt: now,
    approvedAt: null,
    machine: new SessionMachine('awaiting_consent'),
    capabilityRequest: null,
  });
}

describe('FacilityAuditRecorder', () => {
  it('keeps a request, its receipt, a revocation and the end, chained', async () => {
    recorder.incoming({
      type: 'session.request',
      sessionId: 's-1',
      technician: TECH,
      capabilities: ['logs.read', 'screen.view'],
      reason: 'annual service',
      requestedAt: new Date().toISOString(),
      code: '123456789',
    });
    addSession('s-1');
    recorder.outgoing({ type: 'session.approve', sessionId: 's-1', capabilities: ['logs.read'] });
    registry.setGranted('s-1', ['logs.read']);
    recorder.outgoing({
      type: 'capability.grant',
      sessionId: 's-1',
      granted: [],
      requested: [],
    });
    registry.setGranted('s-1', []);
    registry.end('s-1', 'ended_by_facility');
    ledger.close();

    expect(events().map((e) => [e.action, e.actor, e.outcome])).toEqual([
      ['session.requested', 'technician:demo-tech', 'asked'],
      ['consent.approved', 'staff', 'approved'],
      ['capability.revoked', 'staff', 'revoked'],
      ['session.ended', 'staff', 'ended_by_facility'],
    ]);
    const receipt = events()[1]!;
    expect(receipt).toMatchObject({
      facility: 'Demo Facility',
      session: 's-1',
      capability: ['logs.read'],
      detail: { for: TECH, until: 'the session ends' },
    });
    // The code itself is never written down.
    expect(readFileSync(ledger.file, 'utf8')).not.toContain('123456789');
    expect(await verifyLedger(ledger.file)).toMatchObject({ ok: true, events: 4 });
  });

  it('tells a refusal by the agent from a denial by staff and a timeout', () => {
    for (const id of ['s-1', 's-2', 's-3']) addSession(id);
    recorder.outgoing({
      type: 'session.deny',
      sessionId: 's-1',
      reason: 'denied',
      detail: 'This facility does not allow remote control.',
    });
    recorder.outgoing({ type: 'session.deny', sessionId: 's-2', reason: 'denied' });
    recorder.outgoing({ type: 'session.deny', sessionId: 's-3', reason: 'consent_timeout' });

    expect(events().map((e) => [e.session, e.actor, e.outcome])).toEqual([
      ['s-1', 'agent', 'refused'],
      ['s-2', 'staff', 'denied'],
      ['s-3', 'system', 'timed out'],
    ]);
  });
});
