import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { DEMO_FACILITY_DEVICES } from './demo-facility.ts';
import { DeviceHealthTracker } from './health.ts';
import { DeviceRegistry } from './registry.ts';
import { DeviceSimulator } from './simulator.ts';

const error = (code: string | null) => ({
  at: '2025-06-15T12:00:00.000Z',
  severity: 'error' as const,
  code,
});

describe('DeviceHealthTracker', () => {
  it('counts errors by code, in all and since the last report', () => {
    const health = new DeviceHealthTracker();
    health.record('dev-1', error('E-NIBP-0412'));
    health.record('dev-1', error('E-NIBP-0412'));
    health.record('dev-1', error(null));
    health.record('dev-1', { ...error('W-1'), severity: 'warning' });

    expect(health.snapshot('dev-1', true).errors).toEqual([
      { code: 'E-NIBP-0412', total: 2, sinceLastReport: 2 },
      { code: 'uncoded', total: 1, sinceLastReport: 1 },
    ]);
    health.record('dev-1', error('E-NIBP-0412'));
    expect(health.snapshot('dev-1', false).errors[0]).toEqual({
      code: 'E-NIBP-0412',
      total: 3,
      sinceLastReport: 1,
    });
    expect(health.lastEventAt('dev-1')).toBe('2025-06-15T12:00:00.000Z');
  });

  it('tells one burst per window when errors come close together', () => {
    let now = 0;
    const health = new DeviceHealthTracker({
      burstThreshold: 3,
      burstWindowMs: 1000,
      now: () => now,
    });
    const bursts: string[] = [];
    health.on('burst', (id) => bursts.push(id));

    for (let i = 0; i < 6; i++) health.record('dev-1', error('E-0001'));
    expect(bursts).toEqual(['dev-1']);

    now = 5000;
    health.record('dev-1', error('E-0001'));
    expect(bursts).toHaveLength(1);
  });

  it('gets the Demo Facility profiles from the simulator, which wear slowly', async () => {
    const health = new DeviceHealthTracker();
    const simulator = new DeviceSimulator({
      devices: DEMO_FACILITY_DEVICES,
      registry: new DeviceRegistry(),
      hub: new LogHub(),
      health,
      log: silentLogger(),
      speed: 200,
    });
    simulator.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    simulator.stop();

    const spot = health.profile('dev-spot-ed');
    expect(spot.batteryHealthPct).toBeLessThanOrEqual(61.8);
    expect(spot.batteryHealthPct).toBeGreaterThan(61);
    expect(spot.calibrationIntervalDays).toBe(365);
    expect(health.snapshot('dev-probp-clinic', false).lastCalibration).toMatch(
      /^\d{4}-\d{2}-\d{2}$/,
    );
  });
});
