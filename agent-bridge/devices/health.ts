import { EventEmitter } from 'node:events';
import type { LogLine } from '../../shared/logs.ts';
import type { DeviceHealth } from '../../shared/service-data.ts';

/** What is known of a device's service state when the agent starts watching it. */
export interface HealthProfile {
  batteryHealthPct: number | null;
  chargeCycles: number | null;
  /** `YYYY-MM-DD`. */
  lastCalibration: string | null;
  calibrationIntervalDays: number | null;
}

interface Tracked extends HealthProfile {
  /** Error count per event code since the tracker started. */
  totals: Map<string, number>;
  /** Error count per event code since the last snapshot. */
  recent: Map<string, number>;
  /** Times of the latest errors, to tell a burst from the usual trickle. */
  errorTimes: number[];
  lastEventAt: string | null;
  burstUntil: number;
}

interface HealthEvents {
  /** A device logged many errors in a short time. */
  burst: [deviceId: string];
}

export interface HealthTrackerOptions {
  /** Errors within `burstWindowMs` that make a burst. Default 5. */
  burstThreshold?: number;
  burstWindowMs?: number;
  now?: () => number;
}

/** Codes are counted under this when an error line carries none. */
export const UNCODED = 'uncoded';
const NO_PROFILE: HealthProfile = {
  batteryHealthPct: null,
  chargeCycles: null,
  lastCalibration: null,
  calibrationIntervalDays: null,
};

/**
 * Each device's health as the agent knows it: battery health and charge cycles, the last
 * calibration, error counts by event code (in all, and since the last report) and when
 * the device last logged anything. Adapters (or the simulator) set what the device tells
 * them; error counts come from the device's own lines after the PHI filter.
 */
export class DeviceHealthTracker extends EventEmitter<HealthEvents> {
  readonly #devices = new Map<string, Tracked>();
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(options: HealthTrackerOptions = {}) {
    super();
    this.#threshold = options.burstThreshold ?? 5;
    this.#windowMs = options.burstWindowMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** Sets what a device reports about itself; fields left out keep their value. */
  update(deviceId: string, profile: Partial<HealthProfile>): void {
    const tracked = this.#get(deviceId);
    for (const [key, value] of Object.entries(profile)) {
      if (value !== undefined) Object.assign(tracked, { [key]: value });
    }
  }

  /** Counts one line the device logged; errors by code, and bursts of them. */
  record(deviceId: string, line: Pick<LogLine, 'at' | 'severity' | 'code'>): void {
    const tracked = this.#get(deviceId);
    tracked.lastEventAt = line.at;
    if (line.severity !== 'error' && line.severity !== 'critical') return;

    const code = line.code ?? UNCODED;
    tracked.totals.set(code, (tracked.totals.get(code) ?? 0) + 1);
    tracked.recent.set(code, (tracked.recent.get(code) ?? 0) + 1);

    const now = this.#now();
    tracked.errorTimes = [...tracked.errorTimes.filter((t) => now - t < this.#windowMs), now];
    if (tracked.errorTimes.length >= this.#threshold && now >= tracked.burstUntil) {
      // One 'burst' per window, however long the fault repeats.
      tracked.burstUntil = now + this.#windowMs;
      this.emit('burst', deviceId);
    }
  }

  /** What the device last reported about itself, unrounded. */
  profile(deviceId: string): HealthProfile {
    const { batteryHealthPct, chargeCycles, lastCalibration, calibrationIntervalDays } =
      this.#get(deviceId);
    return { batteryHealthPct, chargeCycles, lastCalibration, calibrationIntervalDays };
  }

  /** When the device last logged anything, if it has since the agent started. */
  lastEventAt(deviceId: string): string | null {
    return this.#devices.get(deviceId)?.lastEventAt ?? null;
  }

  /** The device's health now; `commit` starts a new "since the last report" count. */
  snapshot(deviceId: string, commit: boolean): DeviceHealth {
    const tracked = this.#get(deviceId);
    const errors = [...tracked.totals]
      .map(([code, total]) => ({ code, total, sinceLastReport: tracked.recent.get(code) ?? 0 }))
      .sort((a, b) => b.total - a.total)
      .slice(0, 200);
    if (commit) tracked.recent.clear();

    return {
      batteryHealthPct:
        tracked.batteryHealthPct === null ? null : Math.round(tracked.batteryHealthPct * 10) / 10,
      chargeCycles: tracked.chargeCycles,
      lastCalibration: tracked.lastCalibration,
      calibrationIntervalDays: tracked.calibrationIntervalDays,
      errors,
    };
  }

  #get(deviceId: string): Tracked {
    let tracked = this.#devices.get(deviceId);
    if (!tracked) {
      tracked = {
        ...NO_PROFILE,
        totals: new Map(),
        recent: new Map(),
        errorTimes: [],
        lastEventAt: null,
        burstUntil: 0,
      };
      this.#devices.set(deviceId, tracked);
    }
    return tracked;
  }
}

/** `days` days before `now` as `YYYY-MM-DD` (UTC). */
export function daysAgo(days: number, now = Date.now()): string {
  return new Date(now - days * 86_400_000).toISOString().slice(0, 10);
}
