import type { StatsReport } from '../connection-path.ts';

/** What the statistics overlay shows; null where the browser has not measured it yet. */
export interface VideoStats {
  framesPerSecond: number | null;
  kilobitsPerSecond: number | null;
  width: number | null;
  height: number | null;
  roundTripMs: number | null;
}

/** The counters kept from one reading to compute rates at the next. */
export interface VideoSample {
  /** Report time in milliseconds. */
  at: number;
  bytesReceived: number;
  framesDecoded: number;
}

export const NO_VIDEO_STATS: VideoStats = {
  framesPerSecond: null,
  kilobitsPerSecond: null,
  width: null,
  height: null,
  roundTripMs: null,
};

/**
 * Reads one RTCPeerConnection.getStats() result: the inbound video stream and the
 * selected candidate pair. Rates are differences from `previous`, so the first reading
 * has none. Returns the stats and the sample to pass next time.
 */
export function readVideoStats(
  reports: StatsReport[],
  previous: VideoSample | null,
): { stats: VideoStats; sample: VideoSample | null } {
  const inbound = reports.find((r) => r.type === 'inbound-rtp' && kindOf(r) === 'video');
  const roundTripMs = selectedRoundTrip(reports);
  if (!inbound) return { stats: { ...NO_VIDEO_STATS, roundTripMs }, sample: null };

  const sample: VideoSample = {
    at: num(inbound.timestamp) ?? 0,
    bytesReceived: num(inbound.bytesReceived) ?? 0,
    framesDecoded: num(inbound.framesDecoded) ?? 0,
  };
  const seconds = previous ? (sample.at - previous.at) / 1000 : 0;
  const rated = previous !== null && seconds > 0;

  const measuredFps = num(inbound.framesPerSecond);
  const framesPerSecond =
    measuredFps ?? (rated ? (sample.framesDecoded - previous.framesDecoded) / seconds : null);
  const kilobitsPerSecond = rated
    ? ((sample.bytesReceived - previous.bytesReceived) * 8) / 1000 / seconds
    : null;

  return {
    stats: {
      framesPerSecond: framesPerSecond === null ? null : Math.max(0, framesPerSecond),
      kilobitsPerSecond: kilobitsPerSecond === null ? null : Math.max(0, kilobitsPerSecond),
      width: num(inbound.frameWidth),
      height: num(inbound.frameHeight),
      roundTripMs,
    },
    sample,
  };
}

/** Overlay words for each value; a dash until it is known. */
export function formatVideoStats(stats: VideoStats): {
  fps: string;
  bitrate: string;
  resolution: string;
  roundTrip: string;
} {
  const { framesPerSecond: fps, kilobitsPerSecond: kbps, width, height, roundTripMs } = stats;

  return {
    fps: fps === null ? '—' : `${Math.round(fps)} fps`,
    bitrate:
      kbps === null
        ? '—'
        : kbps >= 1000
          ? `${(kbps / 1000).toFixed(1)} Mbit/s`
          : `${Math.round(kbps)} kbit/s`,
    resolution: width && height ? `${width}×${height}` : '—',
    roundTrip: roundTripMs === null ? '—' : `${Math.max(1, Math.round(roundTripMs))} ms`,
  };
}

// Older Chromium reports `mediaType`, newer `kind`.
function kindOf(report: StatsReport): unknown {
  return report.kind ?? report.mediaType;
}

function selectedRoundTrip(reports: StatsReport[]): number | null {
  const transport = reports.find((r) => r.type === 'transport' && r.selectedCandidatePairId);
  const pair = reports.find(
    (r) =>
      r.type === 'candidate-pair' &&
      (r.id === transport?.selectedCandidatePairId ||
        (!transport && r.nominated === true && r.state === 'succeeded')),
  );
  const seconds = pair ? num(pair.currentRoundTripTime) : null;

  return seconds === null ? null : seconds * 1000;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
