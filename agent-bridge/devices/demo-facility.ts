import type { Device } from '../../shared/devices.ts';
import type { Severity } from '../../shared/logs.ts';

/** One kind of event a simulated device logs; `weight` sets how often it is picked. */
export interface EventTemplate {
  weight: number;
  severity: Severity;
  code?: string;
  /** The line; `{n}` and friends are filled with plausible numbers by the simulator. */
  text: string;
}

/** A simulated device: its service facts and the events it logs. */
export interface SimulatedDevice {
  device: Omit<Device, 'online' | 'lastSeen'>;
  events: readonly EventTemplate[];
  /** Error lines a burst is made of: a fault that repeats until it is cleared. */
  burst: readonly EventTemplate[];
  /** Rare events that need someone to act. */
  critical: readonly EventTemplate[];
  /** Service state at start; the simulator lets it drift slowly from there. */
  service?: SimulatedService;
}

/** A simulated device's battery and calibration facts when the simulator starts. */
export interface SimulatedService {
  batteryHealthPct: number;
  chargeCycles: number;
  calibratedDaysAgo: number;
  calibrationIntervalDays: number;
}

const NETWORK_EVENTS: readonly EventTemplate[] = [
  {
    weight: 3,
    severity: 'info',
    text: 'Wi-Fi roam to AP {ap} completed in {ms} ms (RSSI -{rssi} dBm)',
  },
  {
    weight: 1,
    severity: 'warning',
    code: 'W-NET-0107',
    text: 'W-NET-0107 Wi-Fi signal weak (RSSI -{weakRssi} dBm), retrying uplink',
  },
  { weight: 2, severity: 'info', text: 'Connectivity server heartbeat acknowledged ({ms} ms)' },
  {
    weight: 1,
    severity: 'notice',
    text: 'Time synchronised with facility NTP server (offset {offset} ms)',
  },
];

const POWER_EVENTS: readonly EventTemplate[] = [
  { weight: 3, severity: 'info', text: 'Battery at {battery} %, on mains power, charging' },
  {
    weight: 1,
    severity: 'warning',
    code: 'W-PWR-0201',
    text: 'W-PWR-0201 Battery at {lowBattery} %, running on battery',
  },
  { weight: 1, severity: 'info', text: 'Power-on self-test passed (POST {ms} ms)' },
];

const NIBP_EVENTS: readonly EventTemplate[] = [
  {
    weight: 6,
    severity: 'info',
    text: 'NIBP cycle completed (inflation {ms} ms, cuff pressure max {cuff} mmHg)',
  },
  {
    weight: 1,
    severity: 'warning',
    code: 'W-NIBP-0310',
    text: 'W-NIBP-0310 Cuff leak suspected, re-inflating',
  },
  {
    weight: 1,
    severity: 'error',
    code: 'E-NIBP-0412',
    text: 'E-NIBP-0412 Overpressure detected, cuff deflated',
  },
  { weight: 1, severity: 'notice', text: 'NIBP calibration due in {days} days' },
];

const SPO2_EVENTS: readonly EventTemplate[] = [
  {
    weight: 2,
    severity: 'warning',
    code: 'W-SPO2-0121',
    text: 'W-SPO2-0121 SpO2 probe disconnected',
  },
  { weight: 2, severity: 'info', text: 'SpO2 probe connected (sensor type {sensor})' },
  {
    weight: 1,
    severity: 'error',
    code: 'E-SPO2-0233',
    text: 'E-SPO2-0233 SpO2 sensor fault, replace sensor',
  },
];

const TEMP_EVENTS: readonly EventTemplate[] = [
  { weight: 3, severity: 'info', text: 'Temperature probe warmup complete ({ms} ms)' },
  {
    weight: 1,
    severity: 'warning',
    code: 'W-TEMP-0140',
    text: 'W-TEMP-0140 Temperature probe well not detected',
  },
];

const PRINTER_EVENTS: readonly EventTemplate[] = [
  { weight: 2, severity: 'warning', code: 'W-PRN-0501', text: 'W-PRN-0501 Printer out of paper' },
  {
    weight: 1,
    severity: 'info',
    text: 'Printer paper loaded, {pages} pages printed since service',
  },
];

const NIBP_BURST: readonly EventTemplate[] = [
  { weight: 3, severity: 'error', code: 'E-NIBP-0412', text: 'E-NIBP-0412 Overpressure detected' },
  {
    weight: 2,
    severity: 'error',
    code: 'E-NIBP-0415',
    text: 'E-NIBP-0415 Pump current out of range ({current} mA)',
  },
  { weight: 1, severity: 'error', code: 'E-NIBP-0420', text: 'E-NIBP-0420 Valve response timeout' },
];

const CRITICAL: readonly EventTemplate[] = [
  {
    weight: 2,
    severity: 'critical',
    code: 'C-SYS-0901',
    text: 'C-SYS-0901 Watchdog reset, main board restarted',
  },
  {
    weight: 1,
    severity: 'critical',
    code: 'C-PWR-0910',
    text: 'C-PWR-0910 Battery fault, device will shut down',
  },
];

const SELF_TEST: EventTemplate = {
  weight: 1,
  severity: 'info',
  text: 'Self-test passed (firmware {firmware}, board rev C)',
};

/**
 * The Demo Facility: Welch Allyn-style vital signs equipment with service facts only.
 * Nothing here or in the lines they log identifies a patient.
 */
export const DEMO_FACILITY_DEVICES: readonly SimulatedDevice[] = [
  {
    device: {
      id: 'dev-cvsm-ward3',
      name: 'Ward 3 vital signs monitor',
      kind: 'vital-signs-monitor',
      manufacturer: 'Welch Allyn',
      model: 'CVSM 6400',
      serial: '100123456789',
      firmware: '2.43.02',
    },
    events: [
      ...NIBP_EVENTS,
      ...SPO2_EVENTS,
      ...TEMP_EVENTS,
      ...NETWORK_EVENTS,
      ...POWER_EVENTS,
      SELF_TEST,
    ],
    burst: NIBP_BURST,
    critical: CRITICAL,
    service: {
      batteryHealthPct: 91.4,
      chargeCycles: 212,
      calibratedDaysAgo: 120,
      calibrationIntervalDays: 365,
    },
  },
  {
    device: {
      id: 'dev-spot-ed',
      name: 'Emergency triage spot monitor',
      kind: 'spot-vital-signs-monitor',
      manufacturer: 'Welch Allyn',
      model: 'Spot 4400',
      serial: '100198765432',
      firmware: '1.52.00',
    },
    events: [
      ...NIBP_EVENTS,
      ...SPO2_EVENTS,
      ...TEMP_EVENTS,
      ...PRINTER_EVENTS,
      ...POWER_EVENTS,
      SELF_TEST,
    ],
    burst: NIBP_BURST,
    critical: CRITICAL,
    service: {
      batteryHealthPct: 61.8,
      chargeCycles: 874,
      calibratedDaysAgo: 198,
      calibrationIntervalDays: 365,
    },
  },
  {
    device: {
      id: 'dev-probp-clinic',
      name: 'Outpatient clinic blood pressure device',
      kind: 'blood-pressure-monitor',
      manufacturer: 'Welch Allyn',
      model: 'ProBP 3400',
      serial: '100155512034',
      firmware: '3.10.04',
    },
    events: [...NIBP_EVENTS, ...POWER_EVENTS, SELF_TEST],
    burst: NIBP_BURST,
    critical: CRITICAL,
    service: {
      batteryHealthPct: 88.2,
      chargeCycles: 341,
      calibratedDaysAgo: 354,
      calibrationIntervalDays: 365,
    },
  },
  {
    device: {
      id: 'dev-cvsm-icu',
      name: 'ICU step-down vital signs monitor',
      kind: 'vital-signs-monitor',
      manufacturer: 'Welch Allyn',
      model: 'CVSM 6400',
      serial: '100123459012',
      firmware: '2.41.07',
    },
    events: [...NIBP_EVENTS, ...SPO2_EVENTS, ...NETWORK_EVENTS, ...POWER_EVENTS, SELF_TEST],
    burst: NIBP_BURST,
    critical: CRITICAL,
    service: {
      batteryHealthPct: 95.6,
      chargeCycles: 96,
      calibratedDaysAgo: 31,
      calibrationIntervalDays: 365,
    },
  },
];
