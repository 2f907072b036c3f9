import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentToConsoleChannel } from '../../../shared/protocol/channel.ts';
import type { ConsoleToServer } from '../../../shared/protocol/console.ts';
import {
  SessionConnection,
  type ConnectionState,
  type ConnectMessage,
  type DescriptionCheck,
} from './connection.ts';
import type { LinkEvents, LinkMakers, PeerLinkEvents } from './link.ts';

/** A path the test opens, breaks and talks on by hand. */
class FakeLink {
  connected = false;
  destroyed = false;
  readonly sent: unknown[] = [];
  readonly signals: unknown[] = [];

  constructor(readonly events: LinkEvents | PeerLinkEvents) {}

  up(): void {
    this.connected = true;
    this.events.connected();
  }

  send(message: unknown): void {
    this.sent.push(message);
  }

  sendInput(): void {}

  signal(data: unknown): void {
    this.signals.push(data);
  }

  async stats() {
    return [];
  }

  destroy(): void {
    this.destroyed = true;
    this.connected = false;
  }
}

const HELLO: AgentToConsoleChannel = {
  type: 'hello',
  sessionId: 's-1',
  granted: ['logs.read'],
  devices: [],
  sources: [],
};

function connectMessage(attempt: number): ConnectMessage {
  return { type: 'session.connect', sessionId: 's-1', attempt, iceServers: [] };
}

function setUp(check: DescriptionCheck | null = null) {
  const peers: FakeLink[] = [];
  const relays: FakeLink[] = [];
  const makers: LinkMakers = {
    peer: (_servers, _policy, events) => {
      const link = new FakeLink(events);
      peers.push(link);
      return link;
    },
    relay: (_id, events) => {
      const link = new FakeLink(events);
      relays.push(link);
      return link;
    },
  };
  const sent: ConsoleToServer[] = [];
  const states: ConnectionState[] = [];
  const delivered: string[] = [];
  const warnings: string[] = [];
  const connection = new SessionConnection(
    's-1',
    {
      send: (message) => sent.push(message),
      state: (state) => states.push(state),
      opened: () => delivered.push('opened'),
      message: (message) => delivered.push(message.type),
      stream: () => {},
      inputReply: () => {},
      figures: () => {},
      warning: (detail) => warnings.push(detail),
    },
    { relayAfterMs: 3_000, retryMs: 1_000, upgradeMs: 20_000, tickMs: 100 },
    makers,
    check,
  );
  return { connection, peers, relays, sent, states, delivered, warnings };
}

const retries = (sent: ConsoleToServer[]) => sent.filter((m) => m.type === 'session.retry');

describe('SessionConnection', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stays on WebRTC when its path comes up in time, and opens no relay', () => {
    const { connection, peers, relays, states } = setUp();
    connection.connect(connectMessage(0));
    peers[0]!.up();
    vi.advanceTimersByTime(10_000);

    expect(connection.state).toBe('connected');
    expect(relays).toHaveLength(0);
    expect(states).toEqual(['connecting', 'connected']);
  });

  it('opens the relay when no WebRTC path came up in time, and moves back when one does', () => {
    const { connection, peers, relays, delivered } = setUp();
    connection.connect(connectMessage(0));
    vi.advanceTimersByTime(2_900);
    expect(relays).toHaveLength(0);
    vi.advanceTimersByTime(200);
    expect(relays).toHaveLength(1);

    relays[0]!.up();
    expect(connection.state).toBe('connected');
    connection.send({ type: 'logs.unsubscribe' });
    expect(relays[0]!.sent).toEqual([{ type: 'logs.unsubscribe' }]);

    peers[0]!.up();
    expect(relays[0]!.destroyed).toBe(true);
    connection.send({ type: 'logs.unsubscribe' });
    expect(peers[0]!.sent).toEqual([{ type: 'logs.unsubscribe' }]);
    expect(delivered).toEqual(['opened', 'opened']);
  });

  it('asks to try WebRTC again while on the relay, less and less often', () => {
    const { connection, relays, sent } = setUp();
    connection.connect(connectMessage(0));
    vi.advanceTimersByTime(3_100);
    relays[0]!.up();

    vi.advanceTimersByTime(20_100);
    expect(retries(sent)).toEqual([{ type: 'session.retry', sessionId: 's-1', mode: 'upgrade' }]);
    vi.advanceTimersByTime(20_100);
    expect(retries(sent)).toHaveLength(1);
    vi.advanceTimersByTime(20_000);
    expect(retries(sent)).toHaveLength(2);
  });

  it('keeps what a path says before it is taken, and delivers it first', () => {
    const { connection, peers, delivered } = setUp();
    connection.connect(connectMessage(0));
    peers[0]!.events.message(HELLO);
    expect(delivered).toEqual([]);

    peers[0]!.up();
    expect(delivered).toEqual(['hello', 'opened']);
  });

  it('is reconnecting when the path in use breaks, and asks for new attempts with backoff', () => {
    const { connection, peers, sent, states } = setUp();
    connection.connect(connectMessage(0));
    peers[0]!.up();

    peers[0]!.events.lost('The connection to the facility agent closed.');
    expect(connection.state).toBe('reconnecting');
    expect(retries(sent)).toEqual([
      {
        type: 'session.retry',
        sessionId: 's-1',
        mode: 'lost',
        detail: 'The connection to the facility agent closed.',
      },
    ]);
    // No answer from the server: asked again after a wait that grows.
    vi.advanceTimersByTime(1_100);
    expect(retries(sent)).toHaveLength(2);
    vi.advanceTimersByTime(1_100);
    expect(retries(sent)).toHaveLength(2);
    vi.advanceTimersByTime(1_000);
    expect(retries(sent)).toHaveLength(3);

    connection.connect(connectMessage(1));
    peers[1]!.up();
    expect(connection.state).toBe('connected');
    expect(states).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
  });

  it('uses a description only once its check holds, and keeps later signals behind it', async () => {
    let release: (problem: string | null) => void = () => {};
    const check: DescriptionCheck = () => new Promise((resolve) => (release = resolve));
    const { connection, peers } = setUp(check);
    connection.connect(connectMessage(0));
    const candidate = { type: 'candidate' as const, candidate: { candidate: 'candidate:1' } };
    connection.signal(0, { type: 'answer', sdp: 'v=0' }, 'proof');
    connection.signal(0, candidate);
    await vi.advanceTimersByTimeAsync(0);
    expect(peers[0]!.signals).toEqual([]);

    release(null);
    await vi.advanceTimersByTimeAsync(0);
    expect(peers[0]!.signals).toEqual([{ type: 'answer', sdp: 'v=0' }, candidate]);
  });

  it('ends the attempt and says why when a description does not check out', async () => {
    const problem = "The connection details were not signed by the facility agent's key.";
    const { connection, peers, warnings } = setUp(async () => problem);
    connection.connect(connectMessage(0));
    connection.signal(0, { type: 'answer', sdp: 'v=0' }, 'forged');
    await vi.advanceTimersByTimeAsync(0);

    expect(peers[0]!.signals).toEqual([]);
    expect(peers[0]!.destroyed).toBe(true);
    expect(warnings).toEqual([problem]);
    expect(connection.attempt).toBeNull();
  });

  it('takes signals and connects of the current attempt only', async () => {
    const { connection, peers } = setUp();
    connection.connect(connectMessage(1));
    expect(connection.signal(0, { type: 'answer', sdp: 'old' })).toBe(false);
    expect(connection.signal(1, { type: 'answer', sdp: 'new' })).toBe(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(peers[0]!.signals).toEqual([{ type: 'answer', sdp: 'new' }]);

    connection.connect(connectMessage(1));
    connection.connect(connectMessage(0));
    expect(peers).toHaveLength(1);
  });

  it('uses the relay at once, and never WebRTC, when the server forbids WebRTC', () => {
    const { connection, peers, relays, sent } = setUp();
    connection.connect({ ...connectMessage(0), webrtc: false });
    expect(peers).toHaveLength(0);
    expect(relays).toHaveLength(1);

    relays[0]!.up();
    vi.advanceTimersByTime(60_000);
    expect(retries(sent)).toHaveLength(0);
  });

  it('closes every path and says nothing more once destroyed', () => {
    const { connection, peers, relays, states } = setUp();
    connection.connect(connectMessage(0));
    vi.advanceTimersByTime(3_100);
    connection.destroy();

    expect(peers[0]!.destroyed).toBe(true);
    expect(relays[0]!.destroyed).toBe(true);
    peers[0]!.events.connected();
    expect(states.at(-1)).toBe('closed');
  });
});
