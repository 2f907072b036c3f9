import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentToServer } from '../../shared/protocol/agent.ts';
import type { ServiceReport } from '../../shared/service-data.ts';
import { DeviceHealthTracker } from '../devices/health.ts';
import { DeviceRegistry } from '../devices/registry.ts';
import { silentLogger } from '../log.ts';
import { LogHub } from '../logs/hub.ts';
import { ServiceOutbox } from './outbox.ts';
import { ServiceReporter } from './reporter.ts';

let dir: string;
let reporter: ServiceReporter;
let hub: LogHub;
let devices: DeviceRegistry;
let health: DeviceHealthTracker;
let sent: ServiceReport[];
let linkUp: boolean;

function start(window = 2): void {
  reporter = new ServiceReporter({
    outbox: new ServiceOutbox({ file: join(dir, 'outbox.json'), log: silentLogger() }),
    health,
    devices,
    hub,
    send: (message: AgentToServer) => {
      if (!linkUp || message.type !== 'service.report') return false;
      sent.push(message);
      return true;
    },
    intervalMs: 60_000,
    settleMs: 20,
    window,
    log: silentLogger(),
  });
  reporter.start();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tether-reporter-'));
  hub = new LogHub();
  devices = new DeviceRegistry();
  health = new DeviceHealthTracker({ burstThreshold: 3 });
  sent = [];
  linkUp = true;
  hub.addSource({ id: 'dev-1', label: 'Monitor', kind: 'device', deviceId: 'dev-1' });
  hub.addSource({ id: 'file-1', label: 'notes.log', kind: 'file', deviceId: null });
  devices.upsert({
    id: 'dev-1',
    name: 'Monitor',
    kind: 'vital-signs-monitor',
    manufacturer: 'Welch Allyn',
    model: 'CVSM 6400',
    serial: '100123456789',
    firmware: '2.43.02',
    online: true,
    lastSeen: null,
  });
});
afterEach(() => {
  reporter.stop();
  rmSync(dir, { recursive: true, force: true });
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ServiceReporter', () => {
  it('reports device events (not dropped files) with health and error counts', () => {
    start();
    hub.publish('dev-1', {
      text: 'E-NIBP-0412 Overpressure',
      severity: 'error',
      code: 'E-NIBP-0412',
    });
    hub.publish('file-1', { text: 'ERROR something in a file' });
    reporter.setOnline(true);

    expect(sent).toHaveLength(1);
    const [report] = sent;
    expect(report?.events.map((e) => e.text)).toEqual(['E-NIBP-0412 Overpressure']);
    expect(report?.devices[0]?.health.errors).toEqual([
      { code: 'E-NIBP-0412', total: 1, sinceLastReport: 1 },
    ]);
    expect(report?.devices[0]?.device.lastSeen).toBe(report?.events[0]?.at);
  });

  it('waits for acknowledgements: no more than the window in flight', async () => {
    start(2);
    reporter.setOnline(true);
    for (let i = 0; i < 4; i++) {
      reporter.soon();
      await wait(40);
    }
    expect(sent).toHaveLength(2);

    reporter.acknowledged(sent[0]!.seq);
    expect(sent).toHaveLength(3);
  });

  it('sends unacknowledged reports again after a reconnect, then the events of the outage', async () => {
    start();
    reporter.setOnline(true);
    const first = sent[0]!;

    linkUp = false;
    reporter.setOnline(false);
    hub.publish('dev-1', { text: 'while offline', severity: 'warning' });
    reporter.soon();
    await wait(40);
    expect(sent).toHaveLength(1);

    linkUp = true;
    reporter.setOnline(true);
    expect(sent.map((r) => r.seq)).toEqual([first.seq, first.seq, first.seq + 1]);
    expect(sent[2]?.events.map((e) => e.text)).toEqual(['while offline']);
  });

  it('reports soon after an error burst', async () => {
    start();
    reporter.setOnline(true);
    reporter.acknowledged(sent[0]!.seq);
    for (let i = 0; i < 3; i++) hub.publish('dev-1', { text: 'E-0001 fault', severity: 'error' });

    await wait(60);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.devices[0]?.health.errors[0]).toEqual({
      code: 'E-0001',
      total: 3,
      sinceLastReport: 3,
    });
  });
});
