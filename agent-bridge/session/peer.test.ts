import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { afterEach, describe, expect, it } from 'vitest';
import type { Capability } from '../../shared/capabilities.ts';
import { AgentToConsoleChannel, SESSION_CHANNEL_LABEL } from '../../shared/protocol/channel.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import { DeviceRegistry } from '../devices/registry.ts';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { SessionPeer } from './peer.ts';

const cleanup: (() => void)[] = [];
afterEach(() => cleanup.splice(0).forEach((close) => close()));

/**
 * The agent's SessionPeer against a second simple-peer playing the browser console
 * (initiator, 'tether' channel), both on wrtc over loopback, signalling handed across
 * directly where the server would relay it.
 */
function connectPair(granted: Capability[], closeGraceMs = 1500) {
  const hub = new LogHub();
  const devices = new DeviceRegistry();
  hub.addSource({ id: 'dev-1', label: 'CVSM 6400', kind: 'device', deviceId: 'dev-1' });
  hub.publish('dev-1', { text: 'NIBP cycle completed' });
  hub.publish('dev-1', { text: 'E-NIBP-0412 Overpressure detected', severity: 'error' });

  const browser = new SimplePeer({
    initiator: true,
    wrtc,
    trickle: true,
    channelName: SESSION_CHANNEL_LABEL,
    config: { iceServers: [] },
  });
  const messages: AgentToConsoleChannel[] = [];
  const failures: string[] = [];
  let connected = false;

  const agent = new SessionPeer({
    sessionId: 's1',
    granted,
    iceServers: [],
    hub,
    devices,
    backlogLimit: 500,
    log: silentLogger(),
    closeGraceMs,
    events: {
      signal: (data) => browser.signal(data as SimplePeer.SignalData),
      connected: () => (connected = true),
      failed: (detail) => failures.push(detail),
    },
  });
  browser.on('signal', (data) => agent.signal(data as Parameters<SessionPeer['signal']>[0]));
  browser.on('data', (data) => {
    const parsed = parseMessage(AgentToConsoleChannel, String(data));
    if (parsed.ok) messages.push(parsed.value);
  });
  browser.on('error', () => undefined);
  cleanup.push(() => {
    agent.destroy();
    browser.destroy();
  });

  return { hub, browser, agent, messages, failures, isConnected: () => connected };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function texts(messages: AgentToConsoleChannel[]): string[] {
  return messages.flatMap((m) => (m.type === 'logs.lines' ? m.lines.map((l) => l.text) : []));
}

describe('SessionPeer over wrtc', () => {
  it('says hello, sends the backlog and then live lines to the console', async () => {
    const { hub, browser, messages, isConnected } = connectPair(['logs.read']);

    await until(() => messages.some((m) => m.type === 'hello'));
    expect(isConnected()).toBe(true);
    expect(messages[0]).toMatchObject({
      type: 'hello',
      sessionId: 's1',
      granted: ['logs.read'],
      sources: [{ id: 'dev-1' }],
    });

    browser.send(JSON.stringify({ type: 'logs.subscribe', backlog: 500 }));
    await until(() => texts(messages).length >= 2);
    expect(texts(messages)).toEqual(['NIBP cycle completed', 'E-NIBP-0412 Overpressure detected']);

    hub.publish('dev-1', { text: 'Battery at 54 %' });
    await until(() => texts(messages).includes('Battery at 54 %'));
  });

  it('refuses to stream logs when logs.read was not granted', async () => {
    const { browser, messages } = connectPair(['screen.view']);
    await until(() => messages.some((m) => m.type === 'hello'));

    browser.send(JSON.stringify({ type: 'logs.subscribe', backlog: 10 }));
    browser.send('{ not json');
    await until(() => messages.filter((m) => m.type === 'error').length >= 2);

    expect(
      messages.filter((m) => m.type === 'error').map((m) => m.type === 'error' && m.code),
    ).toEqual(['capability_not_allowed', 'bad_request']);
    expect(texts(messages)).toEqual([]);
  });

  it('reports a failure when the console goes away, but not after destroy()', async () => {
    const first = connectPair(['logs.read'], 100);
    await until(() => first.isConnected());
    first.browser.destroy();
    await until(() => first.failures.length > 0);
    expect(first.agent.state).toBe('closed');

    const second = connectPair(['logs.read'], 100);
    await until(() => second.isConnected());
    second.agent.destroy();
    second.agent.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(second.failures).toEqual([]);
  });
});
