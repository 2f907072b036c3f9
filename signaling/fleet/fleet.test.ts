import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventPage, FleetOverview, DeviceDetail } from '../../shared/protocol/fleet.ts';
import type { ServiceEvent, ServiceReport } from '../../shared/service-data.ts';
import { CreateJobsResponse } from '../../shared/software.ts';
import { seedDemoPackage } from '../software/demo-package.ts';
import { signInCookie, startScene, type Scene } from '../testing/harness.ts';

let scene: Scene;
let cookie: string;
beforeEach(async () => {
  scene = await startScene();
  cookie = await signInCookie(scene.t);
});
afterEach(() => scene.stop());

const DEVICE = {
  id: 'dev-1',
  name: 'Ward 3 vital signs monitor',
  kind: 'vital-signs-monitor',
  manufacturer: 'Welch Allyn',
  model: 'CVSM 6400',
  serial: '100123456789',
  firmware: '2.43.02',
  online: true,
  lastSeen: '2025-06-15T12:00:00.000Z',
};

const BASE = Date.now() - 60_000;
const DAY_MS = 86_400_000;

function event(second: number, severity: ServiceEvent['severity'], text: string): ServiceEvent {
  const at = new Date(BASE + second * 1000).toISOString();
  return { at, deviceId: 'dev-1', severity, code: null, text, redacted: 0 };
}

function report(seq: number, events: ServiceEvent[], battery = 61.8): ServiceReport {
  return {
    type: 'service.report',
    seq,
    createdAt: new Date(Date.now() - 1000 * (10 - seq)).toISOString(),
    devices: [
      {
        device: DEVICE,
        health: {
          batteryHealthPct: battery,
          chargeCycles: 874,
          lastCalibration: new Date(Date.now() - 100 * DAY_MS).toISOString().slice(0, 10),
          calibrationIntervalDays: 365,
          errors: [{ code: 'E-NIBP-0412', total: 3, sinceLastReport: 2 }],
        },
      },
    ],
    events,
    droppedEvents: 0,
  };
}

async function sendReport(message: ServiceReport): Promise<void> {
  scene.agent.emit('msg', message);
  await scene.agentInbox.take('service.ack', (m) => m.seq === message.seq);
}

async function get(path: string, withCookie = true): Promise<Response> {
  return fetch(`${scene.t.server.url}${path}`, { headers: withCookie ? { cookie } : {} });
}

const DEVICE_QUERY = () => `agent=${encodeURIComponent(scene.key.agentId)}&device=dev-1`;

describe('service reports', () => {
  it('are stored once however often they arrive, and acknowledged each time', async () => {
    const first = report(1, [
      event(1, 'info', 'NIBP cycle completed'),
      event(2, 'error', 'E-1 stalled'),
    ]);
    await sendReport(first);
    await sendReport(first);
    await sendReport(report(2, [event(3, 'warning', 'W-2 cuff leak')], 60.9));

    const page = EventPage.parse(await (await get(`/api/fleet/events?${DEVICE_QUERY()}`)).json());
    expect(page.total).toBe(3);
    expect(page.events.map((e) => e.text)).toEqual([
      'W-2 cuff leak',
      'E-1 stalled',
      'NIBP cycle completed',
    ]);

    const detail = DeviceDetail.parse(
      await (await get(`/api/fleet/device?${DEVICE_QUERY()}`)).json(),
    );
    expect(detail.batteryTrend.map((p) => p.value)).toEqual([61.8, 60.9]);
    expect(detail.errorTrend.map((p) => p.value)).toEqual([2, 2]);
  });

  it('feed the overview with the facility, the device and its alerts', async () => {
    await sendReport(report(1, []));

    const overview = FleetOverview.parse(await (await get('/api/fleet')).json());
    const [facility] = overview.facilities;
    expect(facility?.name).toBe('Test Facility');
    expect(facility?.devices).toHaveLength(1);
    const device = facility?.devices[0];
    expect(device).toMatchObject({ firmware: '2.43.02', agentOnline: true, online: true });
    expect(device?.alerts.map((a) => a.label)).toEqual(['Battery 62 %']);
  });

  it('an older report resent late does not overwrite newer device facts', async () => {
    await sendReport(report(2, [], 60.0));
    await sendReport(report(1, [], 70.0));

    const overview = FleetOverview.parse(await (await get('/api/fleet')).json());
    expect(overview.facilities[0]?.devices[0]?.batteryHealthPct).toBe(60);
  });

  it('a malformed report is refused in words and not acknowledged', async () => {
    scene.agent.emit('msg', { ...report(1, []), seq: 0 });
    const error = await scene.agentInbox.take('error');
    expect(error.message).toMatch(/Malformed "service.report" message at seq/);
  });
});

describe('the events API', () => {
  beforeEach(async () => {
    await sendReport(
      report(1, [
        event(1, 'info', 'Battery at 80 %, charging'),
        event(2, 'warning', 'W-PRN-0501 Printer out of paper'),
        event(3, 'error', 'E-NIBP-0412 Overpressure detected'),
        event(4, 'critical', 'C-SYS-0901 Watchdog reset'),
        event(5, 'error', 'E-NIBP-0415 Pump current 100% out of range'),
      ]),
    );
  });

  it('filters by lowest severity, words and time, and pages', async () => {
    const query = `${DEVICE_QUERY()}&severity=error&q=nibp&limit=1`;
    const first = EventPage.parse(await (await get(`/api/fleet/events?${query}`)).json());
    expect(first.total).toBe(2);
    expect(first.events.map((e) => e.text)).toEqual(['E-NIBP-0415 Pump current 100% out of range']);
    expect(first.nextBefore).not.toBeNull();

    const next = `${query}&before=${encodeURIComponent(first.nextBefore ?? '')}`;
    const second = EventPage.parse(await (await get(`/api/fleet/events?${next}`)).json());
    expect(second.events.map((e) => e.text)).toEqual(['E-NIBP-0412 Overpressure detected']);
    expect(second.nextBefore).toBeNull();

    // A percent sign is a character to find, not a wildcard.
    const percent = EventPage.parse(
      await (await get(`/api/fleet/events?${DEVICE_QUERY()}&q=100%25`)).json(),
    );
    expect(percent.total).toBe(1);

    const from = event(3, 'info', '').at;
    const timed = EventPage.parse(
      await (await get(`/api/fleet/events?${DEVICE_QUERY()}&from=${from}`)).json(),
    );
    expect(timed.total).toBe(3);
  });

  it('downloads exactly the filtered events as CSV', async () => {
    const res = await get(`/api/fleet/events.csv?${DEVICE_QUERY()}&severity=warning&q=printer`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="dev-1-events.csv"');

    const lines = (await res.text()).trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('W-PRN-0501 Printer out of paper');
  });

  it('refuses bad query parameters with a message in words', async () => {
    const cases: Array<[string, string]> = [
      ['/api/fleet/events?device=dev-1', 'The "agent" parameter is missing.'],
      [
        `/api/fleet/events?${DEVICE_QUERY()}&severity=loud`,
        'The "severity" parameter must be one of',
      ],
      [
        `/api/fleet/events?${DEVICE_QUERY()}&from=yesterday`,
        'The "from" parameter must be a date and time.',
      ],
      [
        `/api/fleet/events?${DEVICE_QUERY()}&from=2025-02-01&to=2025-01-01`,
        'The "from" parameter must not be later than "to".',
      ],
      [
        `/api/fleet/events?${DEVICE_QUERY()}&limit=9000`,
        'The "limit" parameter must be at most 500.',
      ],
      [`/api/fleet/events?${DEVICE_QUERY()}&before=abc`, 'The "before" parameter is not a page'],
      [`/api/fleet/events.csv?${DEVICE_QUERY()}&severity=`, ''],
    ];
    for (const [path, message] of cases) {
      const res = await get(path);
      if (!message) {
        expect(res.status, path).toBe(200);
        continue;
      }
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { message: string }).message, path).toContain(message);
    }
  });

  it('answers an unknown device with not found, and nobody signed out at all', async () => {
    const missing = await get(
      `/api/fleet/device?agent=${encodeURIComponent(scene.key.agentId)}&device=nope`,
    );
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe(
      'No agent reports this device.',
    );

    for (const path of [
      '/api/fleet',
      `/api/fleet/events?${DEVICE_QUERY()}`,
      `/api/fleet/events.csv?${DEVICE_QUERY()}`,
    ]) {
      expect((await get(path, false)).status, path).toBe(401);
    }
  });
});

describe('an agent that went offline', () => {
  it('can still be sent a package for the devices its last report named', async () => {
    await sendReport(report(1, []));
    await seedDemoPackage(scene.t.server.packages);
    const [pkg] = await scene.t.server.packages.list();
    scene.agent.close();
    await waitUntilOffline();

    const res = await fetch(`${scene.t.server.url}/api/software/jobs`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: scene.t.server.url },
      body: JSON.stringify({
        packageId: pkg?.id,
        target: { kind: 'devices', agentId: scene.key.agentId, deviceIds: ['dev-1'] },
      }),
    });

    expect(res.status).toBe(200);
    const { jobs } = CreateJobsResponse.parse(await res.json());
    expect(jobs[0]?.targets.map((target) => target.deviceId)).toEqual(['dev-1']);
  });
});

async function waitUntilOffline(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [agent] = await scene.t.server.admin.listAgents();
    if (agent && !agent.online) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the agent stayed online');
}
