import { describe, it, expect } from 'vitest';
import type { LogLine, Severity } from '../../../shared/logs.ts';
import { ALL_LINES, LogRing, matchesFilter } from './log-ring.ts';

function line(seq: number, severity: Severity = 'info', source = 'dev-1'): LogLine {
  return {
    seq,
    at: '2025-01-01T10:00:00.000Z',
    source,
    severity,
    code: null,
    text: `line ${seq}`,
    redacted: 0,
  };
}

describe('LogRing', () => {
  it('keeps lines in order and evicts the oldest past capacity', () => {
    const ring = new LogRing(3);
    const first = ring.push([line(1), line(2)]);
    const second = ring.push([line(3), line(4), line(5)]);

    expect(first.evicted).toEqual([]);
    expect(second.evicted.map((l) => l.seq)).toEqual([1, 2]);
    expect(ring.size).toBe(3);
    expect(ring.select(ALL_LINES).map((l) => l.seq)).toEqual([3, 4, 5]);
  });

  it('drops lines it already holds, so a repeated backlog is not shown twice', () => {
    const ring = new LogRing(10);
    ring.push([line(1), line(2)]);
    const again = ring.push([line(1), line(2), line(3)]);

    expect(again.added.map((l) => l.seq)).toEqual([3]);
    expect(ring.lastSeq).toBe(3);
  });

  it('selects by source and minimum severity, limited to the newest', () => {
    const ring = new LogRing(10);
    ring.push([
      line(1, 'debug'),
      line(2, 'error', 'dev-2'),
      line(3, 'warning'),
      line(4, 'critical'),
      line(5, 'info'),
    ]);

    const severe = { source: null, minSeverity: 'warning' as const };
    expect(ring.select(severe).map((l) => l.seq)).toEqual([2, 3, 4]);
    expect(ring.select(severe, 2).map((l) => l.seq)).toEqual([3, 4]);
    expect(ring.count({ source: 'dev-1', minSeverity: 'debug' })).toBe(4);
    expect(ring.after(3, ALL_LINES).map((l) => l.seq)).toEqual([4, 5]);
  });

  it('refuses a capacity below one', () => {
    expect(() => new LogRing(0)).toThrow(RangeError);
  });
});

describe('matchesFilter', () => {
  it('compares severities by rank, not by name', () => {
    const filter = { source: null, minSeverity: 'notice' as const };

    expect(matchesFilter(line(1, 'info'), filter)).toBe(false);
    expect(matchesFilter(line(1, 'notice'), filter)).toBe(true);
    expect(matchesFilter(line(1, 'critical'), filter)).toBe(true);
  });
});
