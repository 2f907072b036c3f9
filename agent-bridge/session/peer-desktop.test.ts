import wrtc from '@roamhq/wrtc';
import SimplePeer from 'simple-peer';
import { afterEach, describe, expect, it } from 'vitest';
import type { Capability } from '../../shared/capabilities.ts';
import { AgentToConsoleChannel, SESSION_CHANNEL_LABEL } from '../../shared/protocol/channel.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import { INPUT_CHANNEL_LABEL, InputReply } from '../../shared/protocol/desktop.ts';
import { DesktopService } from '../desktop/service.ts';
import { PatternBackend } from '../desktop/testing/pattern-backend.ts';
import { DeviceRegistry } from '../devices/registry.ts';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { SessionPeer } from './peer.ts';

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanup.splice(0)) await close();
});

/**
 * The agent's SessionPeer with a desktop (a test picture) against a simple-peer playing
 * the browser console exactly as the console does it: initiator, main channel, and the
 * ordered 'input' channel made on the raw connection in the same tick. All on wrtc.
 */
async function connectPair(granted: Capability[]) {
  const backend = new PatternBackend();
  const service = new DesktopService({ backend, log: silentLogger() });
  await service.probe();

  const browser = new SimplePeer({
    initiator: true,
    wrtc,
    trickle: true,
    channelName: SESSION_CHANNEL_LABEL,
    config: { iceServers: [] },
  });
  const pc = (browser as unknown as { _pc: RTCPeerConnection })._pc;
  const input = pc.createDataChannel(INPUT_CHANNEL_LABEL, { ordered: true });
  const replies: InputReply[] = [];
  input.onmessage = (event) => {
    const parsed = parseMessage(InputReply, String(event.data));
    if (parsed.ok) replies.push(parsed.value);
  };
  const messages: AgentToConsoleChannel[] = [];
  const frames: string[] = [];
  browser.on('data', (data) => {
    const parsed = parseMessage(AgentToConsoleChannel, String(data));
    if (parsed.ok) messages.push(parsed.value);
  });
  browser.on('track', (track: MediaStreamTrack) => {
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    sink.onframe = ({ frame }: { frame: { width: number; height: number } }) =>
      frames.push(`${frame.width}x${frame.height}`);
    cleanup.push(() => sink.stop());
  });
  browser.on('error', () => undefined);

  const agent = new SessionPeer({
    sessionId: 's1',
    granted,
    iceServers: [],
    hub: new LogHub(),
    devices: new DeviceRegistry(),
    backlogLimit: 500,
    desktop: { service, allowed: true },
    log: silentLogger(),
    events: {
      signal: (data) => browser.signal(data as SimplePeer.SignalData),
      connected: () => undefined,
      failed: () => undefined,
    },
  });
  browser.on('signal', (data) => agent.signal(data as Parameters<SessionPeer['signal']>[0]));
  cleanup.push(async () => {
    agent.destroy();
    browser.destroy();
    await service.close();
  });
  await until(() => input.readyState === 'open' && messages.some((m) => m.type === 'hello'));

  const statuses = () => messages.filter((m) => m.type === 'desktop.status');
  const sendInput = (message: object) => input.send(JSON.stringify(message));
  return { backend, service, browser, agent, messages, statuses, frames, replies, sendInput };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('SessionPeer with a desktop', () => {
  it('sends status after hello and video once the console views', async () => {
    const { browser, statuses, frames, backend, agent } = await connectPair([
      'logs.read',
      'screen.view',
    ]);

    await until(() => statuses().length > 0);
    expect(statuses()[0]).toEqual({
      type: 'desktop.status',
      state: 'stopped',
      reason: null,
      displays: [backend.display],
      displayId: null,
      control: false,
    });

    browser.send(JSON.stringify({ type: 'desktop.view', displayId: null }));
    await until(() =>
      statuses().some((s) => s.type === 'desktop.status' && s.state === 'streaming'),
    );
    await until(() => frames.length >= 3);
    expect(frames[0]).toBe('320x240');

    browser.send(JSON.stringify({ type: 'desktop.stop' }));
    await until(() => statuses().at(-1)?.state === 'stopped');
    expect(backend.running).toBe(0);

    browser.send(JSON.stringify({ type: 'desktop.view', displayId: 'screen-0' }));
    await until(() => backend.running === 1);
    agent.destroy();
    await until(() => backend.running === 0);
  });

  it('refuses the view without screen.view and input without screen.control', async () => {
    const { browser, messages, replies, sendInput, backend } = await connectPair(['logs.read']);

    browser.send(JSON.stringify({ type: 'desktop.view', displayId: null }));
    sendInput({ type: 'key', key: 'a', code: 'KeyA', down: true });
    await until(() => messages.some((m) => m.type === 'error') && replies.length > 0);

    expect(messages.find((m) => m.type === 'error')).toMatchObject({
      code: 'capability_not_allowed',
    });
    expect(replies[0]).toEqual({
      type: 'input.refused',
      reason: 'Remote control was not granted by the facility.',
    });
    expect(backend.inputs).toEqual([]);
    expect(backend.running).toBe(0);
  });

  it('takes input once control is granted, and lets go of held keys when it is taken back', async () => {
    const { agent, messages, replies, sendInput, backend, statuses } = await connectPair([
      'screen.view',
    ]);

    agent.setGranted(['screen.view', 'screen.control']);
    await until(() => statuses().at(-1)?.control === true);
    expect(messages).toContainEqual({
      type: 'granted',
      granted: ['screen.view', 'screen.control'],
    });

    sendInput({ type: 'clipboard.set', text: 'SN 4711' });
    sendInput({ type: 'key', key: 'Control', code: 'ControlLeft', down: true });
    sendInput({ type: 'pointer.move', x: 0.5, y: 0.5 });
    sendInput({ type: 'clipboard.get' });
    await until(() => replies.some((r) => r.type === 'clipboard.text'));
    expect(replies).toEqual([{ type: 'clipboard.text', text: 'SN 4711' }]);

    agent.setGranted(['screen.view']);
    await until(() => backend.inputs.length === 3);
    expect(backend.inputs).toEqual([
      { type: 'key', key: 'Control', code: 'ControlLeft', down: true },
      { type: 'pointer.move', x: 0.5, y: 0.5 },
      { type: 'key', key: 'Control', code: 'ControlLeft', down: false },
    ]);
    expect(statuses().at(-1)?.control).toBe(false);
  });

  it('stops the view when screen.view is taken back', async () => {
    const { agent, browser, backend, statuses } = await connectPair(['screen.view']);
    browser.send(JSON.stringify({ type: 'desktop.view', displayId: null }));
    await until(() => backend.running === 1);

    agent.setGranted([]);

    await until(() => backend.running === 0 && statuses().at(-1)?.state === 'stopped');
  });
});
