import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/logs.ts';
import { LogHub } from './hub.ts';

describe('LogHub', () => {
  it('numbers lines across sources with one sequence and classifies them', () => {
    const hub = new LogHub();
    const seen: LogLine[] = [];
    hub.on('line', (line) => seen.push(line));

    hub.publish('a', { text: 'INFO one' });
    hub.publish('b', { text: 'ERROR E-4410 two' });
    hub.publish('a', { text: 'three', severity: 'critical', code: null });

    expect(seen.map((l) => [l.seq, l.source, l.severity, l.code])).toEqual([
      [0, 'a', 'info', null],
      [1, 'b', 'error', 'E-4410'],
      [2, 'a', 'critical', null],
    ]);
  });

  it('keeps only the newest lines, oldest first, for backlog', () => {
    const hub = new LogHub(3);
    for (let i = 0; i < 5; i++) hub.publish('a', { text: `line ${i}` });

    expect(hub.recent(10).map((l) => l.text)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(hub.recent(2).map((l) => l.seq)).toEqual([3, 4]);
    expect(hub.recent(0)).toEqual([]);
  });

  it('skips lines with nothing printable and reports source changes', () => {
    const hub = new LogHub();
    const lists: string[][] = [];
    hub.on('sources', (sources) => lists.push(sources.map((s) => s.id)));

    expect(hub.publish('a', { text: '\u0000\u0001  ' })).toBeNull();
    hub.addSource({ id: 'file:x.log', label: 'x.log', kind: 'file', deviceId: null });
    hub.removeSource('file:x.log');
    hub.removeSource('file:x.log');

    expect(lists).toEqual([['file:x.log'], []]);
  });
});
