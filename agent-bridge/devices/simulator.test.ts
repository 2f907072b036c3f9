import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { DEMO_FACILITY_DEVICES } from './demo-facility.ts';
import { DeviceRegistry } from './registry.ts';
import { DeviceSimulator, fill, pick } from './simulator.ts';

const simulators: DeviceSimulator[] = [];
afterEach(() => simulators.splice(0).forEach((s) => s.stop()));

/** A repeatable random sequence (a small linear congruential generator). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) % 2 ** 32;
    return state / 2 ** 32;
  };
}

describe('the Demo Facility', () => {
  it('has Welch Allyn devices with service facts', () => {
    const models = DEMO_FACILITY_DEVICES.map((d) => d.device.model);

    expect(models).toEqual(expect.arrayContaining(['CVSM 6400', 'Spot 4400', 'ProBP 3400']));
    for (const { device } of DEMO_FACILITY_DEVICES) {
      expect(device.manufacturer).toBe('Welch Allyn');
      expect(device.serial).toMatch(/^\d{12}$/);
      expect(device.firmware).toMatch(/^\d+\.\d{2}\.\d{2}$/);
    }
  });

  it('fills every placeholder of every event', () => {
    const random = seeded(1);
    for (const simulated of DEMO_FACILITY_DEVICES) {
      for (const template of [...simulated.events, ...simulated.burst, ...simulated.critical]) {
        expect(fill(template.text, simulated, random)).not.toMatch(/[{}]/);
      }
    }
  });

  it('picks events in proportion to their weight', () => {
    const templates = [
      { weight: 3, severity: 'info' as const, text: 'often' },
      { weight: 1, severity: 'info' as const, text: 'rarely' },
    ];
    const random = seeded(7);
    const often = Array.from({ length: 4000 }, () => pick(templates, random).text).filter(
      (t) => t === 'often',
    ).length;

    expect(often / 4000).toBeGreaterThan(0.7);
    expect(often / 4000).toBeLessThan(0.8);
  });

  it('registers the devices and their log sources and starts logging', async () => {
    const hub = new LogHub();
    const registry = new DeviceRegistry();
    const simulator = new DeviceSimulator({
      devices: DEMO_FACILITY_DEVICES,
      registry,
      hub,
      log: silentLogger(),
      random: seeded(3),
      speed: 100,
    });
    simulators.push(simulator);
    simulator.start();

    expect(registry.list().every((d) => d.online)).toBe(true);
    expect(hub.sources().map((s) => s.label)).toContain(
      'ProBP 3400 (Outpatient clinic blood pressure device)',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hub.recent(5000).length).toBeGreaterThan(DEMO_FACILITY_DEVICES.length * 3);
  });
});
