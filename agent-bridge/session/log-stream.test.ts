import { afterEach, describe, expect, it } from 'vitest';
import type { AgentToConsoleChannel } from '../../shared/protocol/channel.ts';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { LogStream } from './log-stream.ts';

const streams: LogStream[] = [];
afterEach(() => streams.splice(0).forEach((s) => s.unsubscribe()));

function setUp(lines: number, options: { maxQueuedLines?: number } = {}) {
  const hub = new LogHub();
  for (let i = 0; i < lines; i++) hub.publish('dev-1', { text: `line ${i}` });
  const sent: AgentToConsoleChannel[] = [];
  let buffered = 0;
  const stream = new LogStream({
    hub,
    log: silentLogger(),
    intervalMs: 60_000,
    ...options,
    sink: { send: (message) => sent.push(message), bufferedAmount: () => buffered },
  });
  streams.push(stream);
  const seqs = () =>
    sent.flatMap((m) => (m.type === 'logs.lines' ? m.lines.map((l) => l.seq) : []));

  return { hub, stream, sent, seqs, setBuffered: (bytes: number) => (buffered = bytes) };
}

describe('LogStream', () => {
  it('sends the backlog in batches of at most 200 lines, then new lines', () => {
    const { hub, stream, sent, seqs } = setUp(450);
    stream.subscribe(420);

    expect(sent.map((m) => (m.type === 'logs.lines' ? m.lines.length : 0))).toEqual([200, 200, 20]);
    expect(seqs()[0]).toBe(30);

    hub.publish('dev-1', { text: 'live' });
    stream.flush();
    expect(seqs().at(-1)).toBe(450);
  });

  it('keeps each batch under the message size limit', () => {
    const { hub, stream, sent } = setUp(0);
    for (let i = 0; i < 60; i++) hub.publish('dev-1', { text: 'y'.repeat(3900) });
    stream.subscribe(60);

    expect(sent.length).toBeGreaterThan(1);
    for (const message of sent) expect(JSON.stringify(message).length).toBeLessThan(64 * 1024);
  });

  it('holds lines while the channel is backed up and drops the oldest past the bound', () => {
    const { hub, stream, seqs, setBuffered } = setUp(0, { maxQueuedLines: 5 });
    stream.subscribe(0);
    setBuffered(2 * 1024 * 1024);

    for (let i = 0; i < 8; i++) hub.publish('dev-1', { text: `line ${i}` });
    stream.flush();
    expect(seqs()).toEqual([]);

    setBuffered(0);
    stream.flush();
    expect(seqs()).toEqual([3, 4, 5, 6, 7]);
  });

  it('stops after unsubscribe', () => {
    const { hub, stream, seqs } = setUp(0);
    stream.subscribe(0);
    stream.unsubscribe();
    hub.publish('dev-1', { text: 'late' });
    stream.flush();

    expect(seqs()).toEqual([]);
  });
});
