import type { FleetDevice } from '../../../shared/protocol/fleet.ts';

/** "62 %" or "Not reported". */
export function batteryText(pct: number | null): string {
  return pct === null ? 'Not reported' : `${Math.round(pct)} %`;
}

/** The calibration cell: when it is due, in words, and how urgent that is. */
export function calibrationText(device: Pick<FleetDevice, 'calibrationDue' | 'alerts'>): {
  main: string;
  sub: string | null;
  tone: 'danger' | 'warn' | 'plain';
} {
  if (!device.calibrationDue) return { main: 'Not reported', sub: null, tone: 'plain' };

  const alert = device.alerts.find(
    (a) => a.kind === 'calibration_due' || a.kind === 'calibration_overdue',
  );
  if (alert?.kind === 'calibration_overdue') {
    return { main: 'Overdue', sub: `was due ${device.calibrationDue}`, tone: 'danger' };
  }
  if (alert)
    return {
      main: alert.label.replace('Calibration d', 'D'),
      sub: device.calibrationDue,
      tone: 'warn',
    };

  return { main: `Due ${device.calibrationDue}`, sub: null, tone: 'plain' };
}
