import { describe, it, expect } from 'vitest';
import { clockWithMillis, minutesSeconds, timeAgo } from './format.ts';

describe('format', () => {
  it('formats a local clock with milliseconds', () => {
    const iso = new Date(2025, 4, 6, 7, 8, 9, 5).toISOString();
    expect(clockWithMillis(iso)).toBe('07:08:09.005');
    expect(clockWithMillis('not a date')).toBe('--:--:--.---');
  });

  it('formats countdowns, rounding up and never below zero', () => {
    expect(minutesSeconds(42_000)).toBe('0:42');
    expect(minutesSeconds(41_001)).toBe('0:42');
    expect(minutesSeconds(725_000)).toBe('12:05');
    expect(minutesSeconds(-5)).toBe('0:00');
  });

  it('says how long ago something happened', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(timeAgo('2025-01-01T11:59:40Z', now)).toBe('just now');
    expect(timeAgo('2025-01-01T11:55:00Z', now)).toBe('5 minutes ago');
    expect(timeAgo('2025-01-01T11:00:00Z', now)).toBe('1 hour ago');
    expect(timeAgo('2024-12-29T12:00:00Z', now)).toBe('3 days ago');
  });
});
