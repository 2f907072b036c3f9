import { describe, expect, it } from 'vitest';
import type { FleetDevice } from '../../../shared/protocol/fleet.ts';
import { searchDevices, sortDevices, statusLabel } from './device-list.ts';

function device(name: string, extra: Partial<FleetDevice> = {}): FleetDevice {
  return {
    agentId: 'agt-1',
    agentName: 'Service PC',
    agentOnline: true,
    deviceId: name,
    name,
    kind: 'vital-signs-monitor',
    manufacturer: 'Welch Allyn',
    model: 'CVSM 6400',
    serial: '1001',
    firmware: '2.43.02',
    latestFirmware: null,
    online: true,
    lastSeen: null,
    batteryHealthPct: 90,
    chargeCycles: 10,
    lastCalibration: null,
    calibrationDue: null,
    errors24h: 0,
    alerts: [],
    reportedAt: '2025-06-15T12:00:00.000Z',
    ...extra,
  };
}

const FLEET = [
  device('Ward 3', { batteryHealthPct: 91, firmware: '2.9.0' }),
  device('ED triage', { batteryHealthPct: 62, model: 'Spot 4400', firmware: '2.10.1' }),
  device('Clinic', { batteryHealthPct: null, serial: '2002', online: false }),
];

describe('the fleet device list', () => {
  it('finds devices by every word of the search, in any field', () => {
    expect(searchDevices(FLEET, 'spot').map((d) => d.name)).toEqual(['ED triage']);
    expect(searchDevices(FLEET, 'welch 2002').map((d) => d.name)).toEqual(['Clinic']);
    expect(searchDevices(FLEET, '  ')).toHaveLength(3);
    expect(searchDevices(FLEET, 'infusion')).toEqual([]);
  });

  it('sorts by battery both ways, unknown readings last', () => {
    const up = sortDevices(FLEET, { key: 'battery', ascending: true }).map((d) => d.name);
    const down = sortDevices(FLEET, { key: 'battery', ascending: false }).map((d) => d.name);
    expect(up).toEqual(['ED triage', 'Ward 3', 'Clinic']);
    expect(down).toEqual(['Ward 3', 'ED triage', 'Clinic']);
  });

  it('sorts firmware as versions, not as text', () => {
    const order = sortDevices(FLEET, { key: 'firmware', ascending: true }).map((d) => d.firmware);
    expect(order).toEqual(['2.9.0', '2.10.1', '2.43.02']);
  });

  it('words the status', () => {
    expect(statusLabel(FLEET[2]!)).toBe('Offline');
    expect(statusLabel(device('x', { agentOnline: false }))).toBe('Agent offline');
  });
});
