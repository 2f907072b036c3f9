import { describe, it, expect } from 'vitest';
import { formatVideoStats, readVideoStats } from './video-stats.ts';

function reports(at: number, bytes: number, frames: number, extra: Record<string, unknown> = {}) {
  return [
    {
      id: 'IT',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp: at,
      bytesReceived: bytes,
      framesDecoded: frames,
      frameWidth: 1280,
      frameHeight: 720,
      ...extra,
    },
    { id: 'IA', type: 'inbound-rtp', kind: 'audio', timestamp: at, bytesReceived: 999_999 },
    { id: 'T', type: 'transport', selectedCandidatePairId: 'P' },
    { id: 'P', type: 'candidate-pair', currentRoundTripTime: 0.0123 },
  ];
}

describe('readVideoStats', () => {
  it('knows size and round trip at once, and rates from the second reading', () => {
    const first = readVideoStats(reports(1000, 10_000, 0), null);

    expect(first.stats).toEqual({
      framesPerSecond: null,
      kilobitsPerSecond: null,
      width: 1280,
      height: 720,
      roundTripMs: 12.3,
    });

    const second = readVideoStats(reports(2000, 35_000, 30), first.sample);
    expect(second.stats.framesPerSecond).toBe(30);
    expect(second.stats.kilobitsPerSecond).toBe(200);
  });

  it("prefers the browser's own frame rate", () => {
    const first = readVideoStats(reports(0, 0, 0), null);
    const next = readVideoStats(reports(500, 0, 10, { framesPerSecond: 24 }), first.sample);

    expect(next.stats.framesPerSecond).toBe(24);
  });

  it('reports only the round trip before any video arrives', () => {
    const { stats, sample } = readVideoStats(reports(0, 0, 0).slice(1), null);

    expect(sample).toBeNull();
    expect(stats.width).toBeNull();
    expect(stats.roundTripMs).toBeCloseTo(12.3);
  });
});

describe('formatVideoStats', () => {
  it('writes units, and a dash for what is unknown', () => {
    expect(
      formatVideoStats({
        framesPerSecond: 29.6,
        kilobitsPerSecond: 2450,
        width: 1280,
        height: 720,
        roundTripMs: 0.4,
      }),
    ).toEqual({ fps: '30 fps', bitrate: '2.5 Mbit/s', resolution: '1280×720', roundTrip: '1 ms' });
    expect(
      formatVideoStats({
        framesPerSecond: null,
        kilobitsPerSecond: 110.4,
        width: null,
        height: null,
        roundTripMs: null,
      }),
    ).toEqual({ fps: '—', bitrate: '110 kbit/s', resolution: '—', roundTrip: '—' });
  });
});
