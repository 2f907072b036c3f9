import { describe, expect, it } from 'vitest';
import type { Device } from '../../shared/devices.ts';
import { silentLogger } from '../log.ts';
import { SimulatedDeviceAdapter } from './adapter.ts';
import { DeviceRegistry } from './registry.ts';

const device: Device = {
  id: 'dev-1',
  name: 'Ward 3 monitor',
  kind: 'vital-signs-monitor',
  manufacturer: 'Welch Allyn',
  model: 'CVSM 6400',
  serial: 'SN-1',
  firmware: '2.43.02',
  online: true,
  lastSeen: null,
};
const image = {
  path: '/unused',
  name: 'CVSM firmware',
  version: '2.50.00',
  kind: 'firmware' as const,
};

describe('SimulatedDeviceAdapter', () => {
  it('installs firmware with progress and changes the version in the registry', async () => {
    const registry = new DeviceRegistry();
    registry.upsert(device);
    const adapter = new SimulatedDeviceAdapter({ registry, log: silentLogger(), installMs: 50 });
    const progress: number[] = [];

    const outcome = await adapter.installImage(device, image, (f) => progress.push(f));

    expect(outcome).toEqual({ ok: true, firmware: '2.50.00' });
    expect(registry.list()[0]?.firmware).toBe('2.50.00');
    expect(progress.at(-1)).toBe(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('rolls a failing device back to its previous firmware and says why', async () => {
    const registry = new DeviceRegistry();
    registry.upsert(device);
    const seen: string[] = [];
    registry.on('change', (list) => seen.push(list[0]?.firmware ?? ''));
    const adapter = new SimulatedDeviceAdapter({
      registry,
      log: silentLogger(),
      installMs: 50,
      failing: new Set(['dev-1']),
    });

    const outcome = await adapter.installImage(device, image, () => undefined);

    expect(outcome).toMatchObject({ ok: false, rolledBack: true, firmware: '2.43.02' });
    expect(outcome.ok ? '' : outcome.reason).toMatch(/self-test.*previous version was restored/);
    // It booted the new image, failed, and went back.
    expect(seen).toEqual(['2.50.00', '2.43.02']);
    expect(registry.list()[0]?.firmware).toBe('2.43.02');
  });
});
