import { describe, expect, it } from 'vitest';
import { compareVersions } from './versions.ts';

describe('compareVersions', () => {
  it('compares dotted numbers as numbers, not text', () => {
    expect(compareVersions('2.10.1', '2.9.0')).toBeGreaterThan(0);
    expect(compareVersions('2.9.0', '2.10.1')).toBeLessThan(0);
    expect(compareVersions('10.0', '9.99.99')).toBeGreaterThan(0);
  });

  it('treats leading zeros and missing segments as equal', () => {
    expect(compareVersions('2.43.02', '2.43.2')).toBe(0);
    expect(compareVersions('3.1', '3.1.0')).toBe(0);
    expect(compareVersions('v1.2', '1.2.0')).toBe(0);
  });

  it('orders the Demo Facility firmware the way a technician would', () => {
    expect(compareVersions('2.41.07', '2.43.02')).toBeLessThan(0);
    expect(compareVersions('1.52.00', '1.52.00')).toBe(0);
  });

  it('falls back to text for segments that are not numbers', () => {
    expect(compareVersions('1.2.0-rc1', '1.2.0-rc2')).toBeLessThan(0);
    expect(compareVersions('1.2.b', '1.2.a')).toBeGreaterThan(0);
  });

  it('handles numbers longer than a double holds exactly', () => {
    expect(compareVersions('1.123456789012345678901', '1.123456789012345678900')).toBeGreaterThan(
      0,
    );
  });
});
