import { describe, expect, it } from 'vitest';
import { AgentToServer, ServerToAgent } from './agent.ts';
import { AgentToConsoleChannel, ConsoleToAgentChannel } from './channel.ts';
import { MAX_MESSAGE_CHARS, parseMessage } from './common.ts';
import { ConsentToAgent } from './consent.ts';
import { ConsoleToServer } from './console.ts';
import { SignInRequest } from './http.ts';

describe('console messages', () => {
  it('accepts a well-formed session request', () => {
    const result = parseMessage(ConsoleToServer, {
      type: 'session.request',
      agentId: 'ag-0123',
      capabilities: ['logs.read'],
      reason: 'Error E-NIBP-0412 on ward 3',
    });
    expect(result.ok).toBe(true);
  });

  it('refuses an unknown capability with a readable message', () => {
    const result = parseMessage(ConsoleToServer, {
      type: 'session.request',
      agentId: 'ag-0123',
      capabilities: ['root.shell'],
      reason: '',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('bad_request');
      expect(result.error.message).toContain('session.request');
      expect(result.error.message).toContain('capabilities');
    }
  });

  it('refuses an unknown message type', () => {
    const result = parseMessage(ConsoleToServer, { type: 'agents.delete' });
    expect(result.ok).toBe(false);
  });

  it('carries a one-time code only as its 9 digits', () => {
    const ask = (code: string) =>
      parseMessage(ConsoleToServer, {
        type: 'session.request',
        agentId: 'ag-0123',
        capabilities: ['logs.read'],
        reason: '',
        code,
      });

    expect(ask('012345678').ok).toBe(true);
    for (const code of ['012 345 678', '01234567', '0123456789', '01234567x']) {
      const result = ask(code);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.message).toContain('9 digits of a one-time code');
    }
  });

  it('refuses a signal that is not a WebRTC description or candidate', () => {
    const bad = { type: 'signal', sessionId: 's1', attempt: 0, data: { type: 'script', sdp: 'x' } };
    expect(parseMessage(ConsoleToServer, bad).ok).toBe(false);
    const good = {
      type: 'signal',
      sessionId: 's1',
      attempt: 0,
      data: { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 h 1 typ host' } },
    };
    expect(parseMessage(ConsoleToServer, good).ok).toBe(true);
  });
});

describe('agent messages', () => {
  it('accepts approval and denial', () => {
    expect(
      parseMessage(AgentToServer, {
        type: 'session.approve',
        sessionId: 's1',
        capabilities: ['logs.read'],
      }).ok,
    ).toBe(true);
    expect(
      parseMessage(AgentToServer, { type: 'session.deny', sessionId: 's1', reason: 'denied' }).ok,
    ).toBe(true);
  });

  it('refuses an approval that grants nothing', () => {
    const result = parseMessage(AgentToServer, {
      type: 'session.approve',
      sessionId: 's1',
      capabilities: [],
    });
    expect(result.ok).toBe(false);
  });

  it('refuses an agent claiming a reason that is not the facility’s to give', () => {
    const result = parseMessage(AgentToServer, {
      type: 'session.end',
      sessionId: 's1',
      reason: 'ended_by_technician',
    });
    expect(result.ok).toBe(false);
  });

  it('accepts the server’s session request', () => {
    const result = parseMessage(ServerToAgent, {
      type: 'session.request',
      sessionId: 's1',
      technician: { username: 'demo-tech', displayName: 'Dana Tech', organisation: 'Service' },
      capabilities: ['logs.read'],
      reason: '',
      requestedAt: new Date().toISOString(),
    });
    expect(result.ok).toBe(true);
  });
});

describe('data channel messages', () => {
  it('parses JSON strings and refuses broken JSON', () => {
    expect(parseMessage(ConsoleToAgentChannel, '{"type":"logs.subscribe","backlog":10}').ok).toBe(
      true,
    );
    const broken = parseMessage(ConsoleToAgentChannel, '{"type":');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.message).toMatch(/JSON/);
  });

  it('refuses an oversize frame before parsing it', () => {
    const huge = JSON.stringify({ type: 'ping', t: 1, pad: 'x'.repeat(MAX_MESSAGE_CHARS) });
    const result = parseMessage(ConsoleToAgentChannel, huge);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('message_too_large');
  });

  it('refuses an oversize decoded object', () => {
    const result = parseMessage(ConsentToAgent, {
      type: 'consent.deny',
      sessionId: 'x'.repeat(MAX_MESSAGE_CHARS + 1),
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('message_too_large');
  });

  it('checks every log line in a batch', () => {
    const line = {
      seq: 1,
      at: '2026-12-03T10:00:00.000Z',
      source: 'dev-1',
      severity: 'error',
      code: 'E-1',
      text: 'Overpressure',
      redacted: 0,
    };
    expect(parseMessage(AgentToConsoleChannel, { type: 'logs.lines', lines: [line] }).ok).toBe(
      true,
    );
    const bad = { ...line, severity: 'panic' };
    expect(parseMessage(AgentToConsoleChannel, { type: 'logs.lines', lines: [bad] }).ok).toBe(
      false,
    );
  });
});

describe('sign-in body', () => {
  it('trims the user name and says what is missing', () => {
    const ok = SignInRequest.safeParse({ username: ' demo-tech ', password: 'x' });
    expect(ok.success && ok.data.username).toBe('demo-tech');
    const missing = SignInRequest.safeParse({ username: '', password: 'x' });
    expect(missing.success).toBe(false);
    if (!missing.success) expect(missing.error.issues[0]?.message).toBe('Enter your user name.');
  });
});
