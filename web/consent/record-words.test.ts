import { describe, expect, it } from 'vitest';
import type { RecordEvent } from '../../shared/protocol/consent.ts';
import { recordTime, recordWords } from './record-words.ts';

const TECHNICIAN = {
  username: 'demo-tech',
  displayName: 'Demo Technician',
  organisation: 'Tether Device Service',
};

function event(fields: Partial<RecordEvent>): RecordEvent {
  return {
    seq: 1,
    at: '2025-06-15T09:14:00.000Z',
    actor: 'staff',
    role: 'staff',
    action: 'consent.approved',
    session: 'ses-1',
    capability: [],
    outcome: null,
    for: null,
    until: null,
    words: null,
    ...fields,
  };
}

describe('the Record in words', () => {
  it('states a consent receipt: who approved what for whom until when', () => {
    const receipt = event({
      capability: ['logs.read', 'screen.view'],
      outcome: 'approved',
      for: TECHNICIAN,
      until: 'the session ends',
    });
    expect(recordWords(receipt)).toBe(
      'Staff approved Read device event and error logs, View the service computer screen for ' +
        'Demo Technician (Tether Device Service) until the session ends',
    );
    expect(recordWords({ ...receipt, actor: 'one-time code' })).toMatch(
      /^A one-time code made by staff approved Read device event/,
    );
  });

  it('states requests, refusals and ends', () => {
    const technician = { actor: 'technician:demo-tech', role: 'technician' as const };
    expect(
      recordWords(
        event({
          ...technician,
          action: 'session.requested',
          capability: ['logs.read'],
          for: TECHNICIAN,
          words: 'Detector error E-104',
        }),
      ),
    ).toBe(
      'Demo Technician (Tether Device Service) asked for Read device event and error logs: ' +
        'Detector error E-104',
    );
    const denied = event({ action: 'consent.denied', capability: ['screen.control'] });
    expect(recordWords({ ...denied, outcome: 'denied', for: TECHNICIAN })).toBe(
      'Staff denied Control the service computer for Demo Technician (Tether Device Service)',
    );
    expect(recordWords({ ...denied, outcome: 'timed out', actor: 'system', role: 'system' })).toBe(
      'Nobody answered the request for Control the service computer in time',
    );
    expect(
      recordWords({
        ...denied,
        outcome: 'refused',
        actor: 'agent',
        role: 'agent',
        words: 'Remote access is switched off.',
      }),
    ).toBe('The agent refused Control the service computer: Remote access is switched off.');
    expect(
      recordWords(
        event({ ...technician, action: 'session.ended', outcome: 'ended_by_technician' }),
      ),
    ).toBe('demo-tech ended the session');
    expect(recordWords(event({ action: 'session.ended', outcome: 'ended_by_facility' }))).toBe(
      'Staff ended the session',
    );
  });

  it('states staff actions, and an action it does not know as the ledger names it', () => {
    expect(
      recordWords(event({ action: 'remote_access.switched', outcome: 'off', session: null })),
    ).toBe('Staff switched remote access off');
    expect(
      recordWords(event({ action: 'capability.revoked', capability: ['screen.control'] })),
    ).toBe('Staff took back Control the service computer');
    expect(
      recordWords(
        event({ actor: 'agent', role: 'agent', action: 'unattended.started', outcome: 'granted' }),
      ),
    ).toBe('The agent: unattended.started (granted)');
  });

  it('gives the time of today, and the date as well on other days', () => {
    const at = new Date(2025, 5, 15, 9, 14).toISOString();
    expect(recordTime(at, new Date(2025, 5, 15, 18, 0))).toBe('09:14');
    expect(recordTime(at, new Date(2025, 5, 16, 8, 0))).toBe('2025-06-15 09:14');
  });
});
