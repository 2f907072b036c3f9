import { describe, expect, it } from 'vitest';
import { ALERT_RULES, calibrationDueDate, deviceAlerts, type AlertFacts } from './alerts.ts';
import { eventsCsv } from './csv.ts';

const NOW = new Date('2025-06-15T12:00:00Z');
const HEALTHY: AlertFacts = {
  model: 'CVSM 6400',
  firmware: '2.43.02',
  latestFirmware: '2.43.02',
  batteryHealthPct: 92,
  lastCalibration: '2025-01-10',
  calibrationIntervalDays: 365,
  recentErrors: 0,
  commonCode: null,
};

function kinds(facts: Partial<AlertFacts>): string[] {
  return deviceAlerts({ ...HEALTHY, ...facts }, NOW).map((a) => `${a.kind}:${a.level}`);
}

describe('preemptive alerts', () => {
  it('raises nothing for a healthy device', () => {
    expect(deviceAlerts(HEALTHY, NOW)).toEqual([]);
  });

  it('flags low battery health, and very low as danger', () => {
    expect(kinds({ batteryHealthPct: ALERT_RULES.batteryWarnPct })).toEqual([]);
    expect(kinds({ batteryHealthPct: 72.4 })).toEqual(['battery_low:warning']);
    expect(kinds({ batteryHealthPct: 41 })).toEqual(['battery_low:danger']);
    expect(deviceAlerts({ ...HEALTHY, batteryHealthPct: 61.8 }, NOW)[0]?.label).toBe(
      'Battery 62 %',
    );
    expect(kinds({ batteryHealthPct: null })).toEqual([]);
  });

  it('flags an error burst and names the commonest code', () => {
    expect(kinds({ recentErrors: ALERT_RULES.burstErrors - 1 })).toEqual([]);
    const [burst] = deviceAlerts({ ...HEALTHY, recentErrors: 14, commonCode: 'E-NIBP-0412' }, NOW);
    expect(burst?.kind).toBe('error_burst');
    expect(burst?.message).toBe('14 errors in the last 15 minutes, mostly E-NIBP-0412.');
  });

  it('flags firmware behind the current release, comparing versions numerically', () => {
    expect(kinds({ firmware: '2.41.07' })).toEqual(['firmware_behind:warning']);
    expect(kinds({ firmware: '2.9.0', latestFirmware: '2.10.1' })).toEqual([
      'firmware_behind:warning',
    ]);
    expect(kinds({ firmware: '2.10.1', latestFirmware: '2.9.0' })).toEqual([]);
    expect(kinds({ firmware: '2.41.07', latestFirmware: null })).toEqual([]);
  });

  it('flags calibration due within 30 days, and overdue as danger', () => {
    expect(kinds({ lastCalibration: '2024-07-10' })).toEqual(['calibration_due:warning']);
    expect(kinds({ lastCalibration: '2024-06-01' })).toEqual(['calibration_overdue:danger']);
    expect(kinds({ lastCalibration: '2024-07-30' })).toEqual([]);
    expect(kinds({ lastCalibration: '2024-06-01', calibrationIntervalDays: null })).toEqual([]);
  });

  it('puts danger before warning', () => {
    expect(kinds({ firmware: '1.0', batteryHealthPct: 40 })).toEqual([
      'battery_low:danger',
      'firmware_behind:warning',
    ]);
  });

  it('works out the calibration due date', () => {
    expect(calibrationDueDate('2024-06-15', 365)).toBe('2025-06-15');
    expect(calibrationDueDate(null, 365)).toBeNull();
  });
});

describe('events CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    const csv = eventsCsv([
      {
        id: 1,
        at: '2025-06-15T12:00:00.000Z',
        severity: 'error',
        code: 'E-1',
        text: 'pump "A", stalled',
        redacted: 0,
      },
      {
        id: 2,
        at: '2025-06-15T12:00:01.000Z',
        severity: 'info',
        code: null,
        text: '=1+2',
        redacted: 2,
      },
    ]);

    expect(csv.split('\r\n')).toEqual([
      'time,severity,code,text,items removed by the PHI filter',
      '2025-06-15T12:00:00.000Z,error,E-1,"pump ""A"", stalled",0',
      "2025-06-15T12:00:01.000Z,info,,'=1+2,2",
      '',
    ]);
  });
});
