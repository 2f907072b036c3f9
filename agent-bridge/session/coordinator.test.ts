import { describe, expect, it } from 'vitest';
import type { AgentToServer } from '../../shared/protocol/agent.ts';
import type { SignalData } from '../../shared/protocol/signal.ts';
import type { Capability } from '../../shared/capabilities.ts';
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
  constructor(readonly events: PeerEvents) {}
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

function setUp() {
  const registry = new SessionRegistry();
  const sent: AgentToServer[] = [];
  const send = (message: AgentToServer) => void sent.push(message);
  const log = silentLogger();
  const flow = new ConsentFlow({ registry, policy: DEFAULT_POLICY, send, log });
  const capabilities = new CapabilityFlow({ registry, policy: DEFAULT_POLICY, send, log });
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

    coordinator.handle({ type: 'signal', sessionId: 's1', data: OFFER });
    coordinator.handle({ type: 'signal', sessionId: 's1', data: CANDIDATE });
    coordinator.handle({ type: 'session.connect', sessionId: 's1', iceServers: [] });

    expect(peers[0]?.signals).toEqual([OFFER, CANDIDATE]);
    expect(registry.get('s1')?.machine.state).toBe('connecting');
  });

  it('drops signals and connects for sessions that were never approved', () => {
    const { coordinator, peers } = setUp();

    coordinator.handle({ type: 'signal', sessionId: 'nope', data: OFFER });
    coordinator.handle({ type: 'session.connect', sessionId: 'nope', iceServers: [] });

    expect(peers).toEqual([]);
  });

  it('reports connected and failed peers to the server', () => {
    const { coordinator, peers, approved, registry, sent } = setUp();
    approved('s1');
    coordinator.handle({ type: 'session.connect', sessionId: 's1', iceServers: [] });

    peers[0]!.events.connected();
    expect(registry.get('s1')?.machine.state).toBe('active');
    peers[0]!.events.failed('ICE failed');

    expect(sent).toEqual([
      { type: 'session.connected', sessionId: 's1' },
      {
        type: 'session.end',
        sessionId: 's1',
        reason: 'failed',
        detail: 'Connection to the console failed: ICE failed',
      },
    ]);
    expect(registry.has('s1')).toBe(false);
  });

  it('closes the peer once however the session ends', () => {
    const { coordinator, peers, approved, sent } = setUp();
    approved('s1');
    approved('s2');
    coordinator.handle({ type: 'session.connect', sessionId: 's1', iceServers: [] });
    coordinator.handle({ type: 'session.connect', sessionId: 's2', iceServers: [] });

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

  it('ends everything locally when the server link is lost', () => {
    const { coordinator, peers, approved, registry, flow } = setUp();
    approved('s1');
    coordinator.handle({ type: 'session.connect', sessionId: 's1', iceServers: [] });
    coordinator.handle({
      type: 'session.request',
      sessionId: 's2',
      technician: TECHNICIAN,
      capabilities: ['logs.read'],
      reason: '',
      requestedAt: new Date().toISOString(),
    });

    coordinator.linkLost();

    expect(registry.all()).toEqual([]);
    expect(registry.recent().map((r) => r.reason)).toEqual(['agent_offline', 'agent_offline']);
    expect(peers[0]?.destroyed).toBe(1);
    flow.dispose();
  });

  it('tells the server about open sessions it no longer has', () => {
    const { coordinator, approved, sent } = setUp();
    approved('s1');

    coordinator.handle({
      type: 'hello',
      agentId: 'ag-1',
      facility: { id: 'f1', name: 'Demo Facility' },
      openSessionIds: ['s1', 'gone'],
    });

    expect(sent).toEqual([
      {
        type: 'session.end',
        sessionId: 'gone',
        reason: 'failed',
        detail: 'The facility agent no longer has this session.',
      },
    ]);
  });

  it('passes capability requests to the flow and new grants to the peer', () => {
    const { coordinator, peers, approved, sent, capabilities } = setUp();
    approved('s1');
    coordinator.handle({ type: 'session.connect', sessionId: 's1', iceServers: [] });
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
