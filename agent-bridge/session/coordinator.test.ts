import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AgentToServer, ServerToAgent } from '../../shared/protocol/agent.ts';
import type { SignalData } from '../../shared/protocol/signal.ts';
import type { Capability } from '../../shared/capabilities.ts';
import { startAccess } from '../access/wiring.ts';
import { CapabilityFlow } from '../consent/capability-flow.ts';
import { ConsentFlow } from '../consent/flow.ts';
import { DeviceRegistry } from '../devices/registry.ts';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { DEFAULT_POLICY } from '../policy.ts';
import { SessionCoordinator, type CoordinatorOptions } from './coordinator.ts';
import type { PeerEvents, SessionPeer } from './peer.ts';
import { SessionRegistry } from './registry.ts';

const TECHNICIAN = { username: 'tech', displayName: 'Tess Tech', organisation: 'Service Co' };
const OFFER: SignalData = { type: 'offer', sdp: 'v=0' };
const CANDIDATE: SignalData = { type: 'candidate', candidate: { candidate: 'candidate:1' } };

/** Records what the coordinator does to its peers; the WebRTC side has its own test. */
class RecordingPeer {
  signals: SignalData[] = [];
  grants: Capability[][] = [];
  destroyed = 0;
  connected = false;
  constructor(readonly events: PeerEvents) {}
  /** Plays the data channel opening. */
  open(): void {
    this.connected = true;
    this.events.connected();
  }
  signal(data: SignalData): void {
    this.signals.push(data);
  }
  setGranted(granted: Capability[]): void {
    this.grants.push([...granted]);
  }
  destroy(): void {
    this.destroyed += 1;
  }
}

const connect = (sessionId: string, attempt = 0): ServerToAgent => ({
  type: 'session.connect',
  sessionId,
  attempt,
  iceServers: [],
});
const signal = (sessionId: string, attempt: number, data: SignalData): ServerToAgent => ({
  type: 'signal',
  sessionId,
  attempt,
  data,
});

afterEach(() => {
  vi.useRealTimers();
});

function setUp() {
  const registry = new SessionRegistry();
  const sent: AgentToServer[] = [];
  const send = (message: AgentToServer) => void sent.push(message);
  const log = silentLogger();
  const dataDir = mkdtempSync(join(tmpdir(), 'coordinator-'));
  const access = startAccess({ policy: DEFAULT_POLICY, dataDir, log }).gate;
  const flow = new ConsentFlow({ registry, policy: DEFAULT_POLICY, access, send, log });
  const capabilities = new CapabilityFlow({ registry, policy: DEFAULT_POLICY, access, send, log });
  const peers: RecordingPeer[] = [];
  const createPeer: CoordinatorOptions['createPeer'] = (options) => {
    const peer = new RecordingPeer(options.events);
    peers.push(peer);
    return peer as unknown as SessionPeer;
  };
  const coordinator = new SessionCoordinator({
    registry,
    flow,
    capabilities,
    hub: new LogHub(),
    devices: new DeviceRegistry(),
    policy: DEFAULT_POLICY,
    send,
    log,
    createPeer,
  });

  const approved = (sessionId: string) => {
    coordinator.handle({
      type: 'session.request',
      sessionId,
      technician: TECHNICIAN,
      capabilities: ['logs.read'],
      reason: '',
      requestedAt: new Date().toISOString(),
    });
    flow.approve(sessionId, ['logs.read']);
    sent.length = 0;
  };

  return { registry, sent, coordinator, peers, approved, flow, capabilities };
}

describe('SessionCoordinator', () => {
  it('holds signals that arrive before session.connect and hands them over in order', () => {
    const { coordinator, peers, approved, registry } = setUp();
    approved('s1');

    coordinator.handle(signal('s1', 0, OFFER));
    coordinator.handle(signal('s1', 0, CANDIDATE));
    coordinator.handle(connect('s1'));

    expect(peers[0]?.signals).toEqual([OFFER, CANDIDATE]);
    expect(registry.get('s1')?.machine.state).toBe('connecting');
  });

  it('drops signals and connects for sessions that were never approved', () => {
    const { coordinator, peers } = setUp();

    coordinator.handle(signal('nope', 0, OFFER));
    coordinator.handle(connect('nope'));

    expect(peers).toEqual([]);
  });

  it('gives each attempt its own peer and keeps signals of one attempt from another', () => {
    const { coordinator, peers, approved, sent } = setUp();
    approved('s1');
    coordinator.handle(connect('s1', 0));
    peers[0]!.events.signal(OFFER);

    coordinator.handle(signal('s1', 1, CANDIDATE));
    coordinator.handle(connect('s1', 1));
    coordinator.handle(signal('s1', 0, OFFER));
    coordinator.handle(connect('s1', 0));

    expect(peers).toHaveLength(2);
    expect(peers[0]?.destroyed).toBe(1);
    expect(peers[0]?.signals).toEqual([]);
    expect(peers[1]?.signals).toEqual([CANDIDATE]);
    expect(sent).toEqual([{ type: 'signal', sessionId: 's1', attempt: 0, data: OFFER }]);
  });

  it('ends a session whose first peer fails, but waits when a running one loses its path', () => {
    const { coordinator, peers, approved, registry, sent } = setUp();
    approved('s1');
    approved('s2');
    coordinator.handle(connect('s1'));
    coordinator.handle(connect('s2'));

    peers[0]!.events.failed('ICE failed');
    peers[1]!.open();
    peers[1]!.events.failed('ICE failed');

    expect(sent).toEqual([
      {
        type: 'session.end',
        sessionId: 's1',
        reason: 'failed',
        detail: 'Connection to the console failed: ICE failed',
      },
      { type: 'session.connected', sessionId: 's2' },
    ]);
    expect(registry.has('s1')).toBe(false);
    expect(registry.get('s2')?.machine.state).toBe('reconnecting');

    coordinator.handle(connect('s2', 1));
    peers[2]!.open();
    expect(registry.get('s2')?.machine.state).toBe('active');
  });

  it('closes the peer once however the session ends', () => {
    const { coordinator, peers, approved, sent } = setUp();
    approved('s1');
    approved('s2');
    coordinator.handle(connect('s1'));
    coordinator.handle(connect('s2'));

    coordinator.endByFacility('s1');
    coordinator.handle({
      type: 'session.ended',
      sessionId: 's1',
      reason: 'ended_by_facility',
      detail: null,
    });
    coordinator.handle({
      type: 'session.ended',
      sessionId: 's2',
      reason: 'ended_by_technician',
      detail: null,
    });

    expect(peers.map((p) => p.destroyed)).toEqual([1, 1]);
    expect(sent).toEqual([{ type: 'session.end', sessionId: 's1', reason: 'ended_by_facility' }]);
  });

  it('keeps running sessions through a lost server link and ends the rest', () => {
    vi.useFakeTimers();
    const { coordinator, peers, approved, registry, flow } = setUp();
    approved('s1');
    coordinator.handle(connect('s1'));
    peers[0]!.open();
    approved('s2');
    coordinator.handle(connect('s2'));
    coordinator.handle({
      type: 'session.request',
      sessionId: 's3',
      technician: TECHNICIAN,
      capabilities: ['logs.read'],
      reason: '',
      requestedAt: new Date().toISOString(),
    });

    coordinator.linkLost();

    expect(registry.all().map((s) => s.id)).toEqual(['s1']);
    expect(registry.recent().map((r) => r.reason)).toEqual(['agent_offline', 'agent_offline']);
    expect(peers[0]?.destroyed).toBe(0);

    vi.advanceTimersByTime(64_000);
    expect(registry.has('s1')).toBe(true);
    vi.advanceTimersByTime(2_000);
    expect(registry.has('s1')).toBe(false);
    expect(registry.recent()[0]?.outcome).toContain('could not be restored within 60 seconds');
    expect(peers[0]?.destroyed).toBe(1);
    flow.dispose();
  });

  it('tells the server after a reconnect which paths lived and which sessions it lacks', () => {
    vi.useFakeTimers();
    const { coordinator, peers, approved, registry, sent } = setUp();
    for (const id of ['s1', 's2', 's3']) {
      approved(id);
      coordinator.handle(connect(id));
      peers.at(-1)!.open();
    }
    peers[1]!.events.failed('ICE failed');
    coordinator.linkLost();
    sent.length = 0;

    coordinator.handle({
      type: 'hello',
      agentId: 'ag-1',
      facility: { id: 'f1', name: 'Demo Facility' },
      openSessionIds: ['s1', 's2', 'gone'],
    });

    expect(sent).toEqual([
      {
        type: 'session.end',
        sessionId: 'gone',
        reason: 'failed',
        detail: 'The facility agent no longer has this session.',
      },
      { type: 'session.resume', sessionId: 's1', connected: true },
      { type: 'session.resume', sessionId: 's2', connected: false },
    ]);
    expect(registry.get('s2')?.machine.state).toBe('reconnecting');
    expect(registry.has('s3')).toBe(false);
    // The link is back: the agent's own grace no longer runs.
    vi.advanceTimersByTime(120_000);
    expect(registry.has('s1')).toBe(true);
  });

  it('passes capability requests to the flow and new grants to the peer', () => {
    const { coordinator, peers, approved, sent, capabilities } = setUp();
    approved('s1');
    coordinator.handle(connect('s1'));
    sent.length = 0;

    coordinator.handle({
      type: 'capability.request',
      sessionId: 's1',
      capabilities: ['screen.control'],
    });
    expect(capabilities.has('s1')).toBe(true);
    capabilities.approve('s1', ['screen.control']);

    expect(sent).toEqual([
      {
        type: 'capability.grant',
        sessionId: 's1',
        granted: ['logs.read', 'screen.control'],
        requested: ['screen.control'],
      },
    ]);
    expect(peers[0]?.grants).toEqual([['logs.read', 'screen.control']]);
  });
});
