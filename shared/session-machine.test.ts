import { describe, expect, it } from 'vitest';
import {
  END_REASONS,
  IllegalTransitionError,
  SESSION_STATES,
  SessionMachine,
  canTransition,
  type EndReason,
  type SessionState,
} from './session-machine.ts';

const LEGAL_FORWARD: Array<[SessionState, SessionState]> = [
  ['requested', 'awaiting_consent'],
  ['awaiting_consent', 'approved'],
  ['approved', 'connecting'],
  ['connecting', 'active'],
  ['active', 'reconnecting'],
  ['reconnecting', 'active'],
];

const isLegalForward = (from: SessionState, to: SessionState) =>
  LEGAL_FORWARD.some(([f, t]) => f === from && t === to);

describe('session state machine', () => {
  it('allows exactly the forward moves of the design, and no others', () => {
    for (const from of SESSION_STATES) {
      for (const to of SESSION_STATES) {
        if (to === 'ended') continue;
        expect(canTransition(from, to), `${from} -> ${to}`).toBe(isLegalForward(from, to));
      }
    }
  });

  it('ends from every open state with an operational reason', () => {
    const operational: EndReason[] = [
      'ended_by_facility',
      'ended_by_technician',
      'agent_offline',
      'failed',
    ];
    for (const from of SESSION_STATES.filter((s) => s !== 'ended')) {
      for (const reason of operational) expect(canTransition(from, 'ended', reason)).toBe(true);
    }
  });

  it('accepts denied and consent_timeout only before consent was given', () => {
    for (const from of SESSION_STATES) {
      const expected = from === 'requested' || from === 'awaiting_consent';
      expect(canTransition(from, 'ended', 'denied'), from).toBe(expected);
      expect(canTransition(from, 'ended', 'consent_timeout'), from).toBe(expected);
    }
  });

  it('refuses to end without a reason and to move with one', () => {
    expect(canTransition('active', 'ended')).toBe(false);
    expect(canTransition('requested', 'awaiting_consent', 'failed')).toBe(false);
  });

  it('never leaves ended', () => {
    for (const to of SESSION_STATES) {
      for (const reason of [undefined, ...END_REASONS]) {
        expect(canTransition('ended', to, reason)).toBe(false);
      }
    }
  });

  it('walks the happy path and reports each move once', () => {
    const machine = new SessionMachine();
    const seen: string[] = [];
    machine.onTransition((e) => seen.push(`${e.from}->${e.to}${e.reason ? `:${e.reason}` : ''}`));

    machine.to('awaiting_consent');
    machine.to('approved');
    machine.to('connecting');
    machine.to('active');
    machine.to('reconnecting');
    machine.to('active');
    expect(machine.end('ended_by_technician')).toBe(true);
    expect(machine.end('failed')).toBe(false);

    expect(machine.state).toBe('ended');
    expect(machine.endReason).toBe('ended_by_technician');
    expect(seen).toEqual([
      'requested->awaiting_consent',
      'awaiting_consent->approved',
      'approved->connecting',
      'connecting->active',
      'active->reconnecting',
      'reconnecting->active',
      'active->ended:ended_by_technician',
    ]);
  });

  it('throws on an illegal move and keeps its state', () => {
    const machine = new SessionMachine('awaiting_consent');
    expect(() => machine.to('active')).toThrow(IllegalTransitionError);
    expect(machine.state).toBe('awaiting_consent');
  });

  it('does not accept a consent reason once approved', () => {
    const machine = new SessionMachine('approved');
    expect(machine.end('consent_timeout')).toBe(false);
    expect(machine.state).toBe('approved');
  });
});
