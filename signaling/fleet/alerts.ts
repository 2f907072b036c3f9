import type { DeviceAlert } from '../../shared/protocol/fleet.ts';
import { compareVersions } from '../../shared/versions.ts';

/** Where the preemptive rules draw their lines. */
export const ALERT_RULES = {
  /** Battery health below this is worth planning a replacement for. */
  batteryWarnPct: 75,
  /** Below this the battery may not carry the device through a power cut. */
  batteryDangerPct: 60,
  /** A calibration falling due within this many days is flagged ahead of time. */
  calibrationNoticeDays: 30,
  /** This many error or critical events within the burst window make a burst. */
  burstErrors: 10,
  burstWindowMinutes: 15,
} as const;

/** What the rules look at for one device. */
export interface AlertFacts {
  model: string;
  firmware: string;
  /** The current release for the model, or null when the catalogue does not know it. */
  latestFirmware: string | null;
  batteryHealthPct: number | null;
  /** `YYYY-MM-DD`. */
  lastCalibration: string | null;
  calibrationIntervalDays: number | null;
  /** Error and critical events within the burst window. */
  recentErrors: number;
  /** The code seen most often among them, if any. */
  commonCode: string | null;
}

const DAY_MS = 86_400_000;

/** The preemptive alerts for one device, most urgent first. */
export function deviceAlerts(facts: AlertFacts, now: Date = new Date()): DeviceAlert[] {
  const alerts = [
    batteryAlert(facts),
    burstAlert(facts),
    calibrationAlert(facts, now),
    firmwareAlert(facts),
  ].filter((alert): alert is DeviceAlert => alert !== null);

  return alerts.sort((a, b) => Number(b.level === 'danger') - Number(a.level === 'danger'));
}

/** The date the next calibration is due, `YYYY-MM-DD`, or null when it is not known. */
export function calibrationDueDate(
  last: string | null,
  intervalDays: number | null,
): string | null {
  if (!last || !intervalDays) return null;
  const start = Date.parse(`${last}T00:00:00Z`);
  if (Number.isNaN(start)) return null;

  return new Date(start + intervalDays * DAY_MS).toISOString().slice(0, 10);
}

function batteryAlert({ batteryHealthPct: pct }: AlertFacts): DeviceAlert | null {
  if (pct === null || pct >= ALERT_RULES.batteryWarnPct) return null;

  const rounded = Math.round(pct);
  const danger = pct < ALERT_RULES.batteryDangerPct;
  return {
    kind: 'battery_low',
    level: danger ? 'danger' : 'warning',
    label: `Battery ${rounded} %`,
    message: danger
      ? `Battery health is ${rounded} %: replace the battery now; it may not bridge a power cut.`
      : `Battery health is ${rounded} %: plan a battery replacement at the next service visit.`,
  };
}

function burstAlert({ recentErrors, commonCode }: AlertFacts): DeviceAlert | null {
  if (recentErrors < ALERT_RULES.burstErrors) return null;

  const mostly = commonCode ? `, mostly ${commonCode}` : '';
  return {
    kind: 'error_burst',
    level: 'warning',
    label: 'Error burst',
    message: `${recentErrors} errors in the last ${ALERT_RULES.burstWindowMinutes} minutes${mostly}.`,
  };
}

function calibrationAlert(facts: AlertFacts, now: Date): DeviceAlert | null {
  const due = calibrationDueDate(facts.lastCalibration, facts.calibrationIntervalDays);
  if (!due) return null;

  const today = now.toISOString().slice(0, 10);
  const daysLeft = Math.round((Date.parse(due) - Date.parse(today)) / DAY_MS);
  if (daysLeft < 0) {
    return {
      kind: 'calibration_overdue',
      level: 'danger',
      label: 'Calibration overdue',
      message: `Calibration was due on ${due}, ${-daysLeft} day${-daysLeft === 1 ? '' : 's'} ago.`,
    };
  }
  if (daysLeft > ALERT_RULES.calibrationNoticeDays) return null;

  return {
    kind: 'calibration_due',
    level: 'warning',
    label: daysLeft === 0 ? 'Calibration due today' : `Calibration due in ${daysLeft} d`,
    message: `Calibration is due on ${due}; schedule it with the facility.`,
  };
}

function firmwareAlert(facts: AlertFacts): DeviceAlert | null {
  const latest = facts.latestFirmware;
  if (!latest || compareVersions(facts.firmware, latest) >= 0) return null;

  return {
    kind: 'firmware_behind',
    level: 'warning',
    label: 'Firmware behind',
    message: `Runs firmware ${facts.firmware}; ${latest} is the current release for the ${facts.model}.`,
  };
}
