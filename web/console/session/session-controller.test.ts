import { describe, it, expect } from 'vitest';
import type { ConsoleToServer } from '../../../shared/protocol/console.ts';
import type { SessionView } from '../../../shared/protocol/views.ts';
import { SessionController } from './session-controller.svelte.ts';

const ask = async () => ({ ok: true as const });

function view(overrides: Partial<SessionView> = {}): SessionView {
  return {
    id: 's-1',
    agentId: 'ag-1',
    agentName: 'Service computer',
    facility: { id: 'f-1', name: 'Demo Facility' },
    technician: { username: 'tech', displayName: 'Tech', organisation: 'Org' },
    reason: '',
    state: 'awaiting_consent',
    endReason: null,
    endDetail: null,
    requested: ['logs.read'],
    granted: [],
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    ...overrides,
  };
}

describe('SessionController', () => {
  it('asks the server to end the session once, however often End is pressed', () => {
    const sent: ConsoleToServer[] = [];
    const session = new SessionController(view(), (message) => sent.push(message), ask);

    session.end();
    session.end();

    expect(sent).toEqual([{ type: 'session.end', sessionId: 's-1' }]);
    expect(session.ending).toBe(true);
  });

  it('mirrors the server and ignores views of other sessions', () => {
    const session = new SessionController(view(), () => {}, ask);

    session.update(view({ id: 's-2', state: 'ended', endReason: 'denied' }));
    expect(session.ended).toBe(false);

    session.update(view({ state: 'ended', endReason: 'denied' }));
    expect(session.ended).toBe(true);
    expect(session.connection).toBe('idle');
  });

  it('starts no peer and sends nothing for a session that already ended', () => {
    const sent: ConsoleToServer[] = [];
    const session = new SessionController(
      view({ state: 'ended', endReason: 'consent_timeout' }),
      (m) => sent.push(m),
      ask,
    );

    session.connect({ type: 'session.connect', sessionId: 's-1', attempt: 0, iceServers: [] });
    session.end();

    expect(session.connection).toBe('idle');
    expect(sent).toEqual([]);
  });
});
