import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import type { EventTemplate, SimulatedDevice } from './demo-facility.ts';
import { daysAgo, type DeviceHealthTracker } from './health.ts';
import type { DeviceRegistry } from './registry.ts';

export interface SimulatorOptions {
  devices: readonly SimulatedDevice[];
  registry: DeviceRegistry;
  hub: LogHub;
  log: Logger;
  /** Source of randomness in [0, 1); replaceable for repeatable tests. */
  random?: () => number;
  /** Divides every delay: 1 is real time, larger is faster (tests). */
  speed?: number;
  /** Where the devices' battery and calibration facts go; they drift a little per tick. */
  health?: DeviceHealthTracker;
}

const CONNECTED_LINE: EventTemplate = {
  weight: 1,
  severity: 'info',
  text: 'Agent connected to device (firmware {firmware}), self-test passed',
};

/** Per tick: chance of a critical event, of a burst of errors, of dropping off the network. */
const CRITICAL_CHANCE = 0.004;
const BURST_CHANCE = 0.03;
const OFFLINE_CHANCE = 0.01;
/** Per tick: battery health lost (up to, in percentage points) and chance of a charge cycle. */
const BATTERY_WEAR = 0.001;
const CYCLE_CHANCE = 0.002;

/**
 * Runs the simulated devices: each logs an event every 1–5 s, now and then a burst of
 * 5–20 errors within a second or two, rarely a critical fault, and once in a while it
 * drops off the network for 10–40 s (it then logs nothing, and the registry reports it
 * offline until it is back).
 */
export class DeviceSimulator {
  readonly #options: SimulatorOptions;
  readonly #random: () => number;
  readonly #speed: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #offline = new Set<string>();
  #running = false;

  constructor(options: SimulatorOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    this.#speed = options.speed ?? 1;
  }

  start(): void {
    const { devices, registry, hub, log } = this.#options;
    this.#running = true;

    for (const simulated of devices) {
      const { device } = simulated;
      registry.upsert({ ...device, online: true, lastSeen: new Date().toISOString() });
      hub.addSource({
        id: device.id,
        label: `${device.model} (${device.name})`,
        kind: 'device',
        deviceId: device.id,
      });
      this.#seedHealth(simulated);
      this.#emit(device.id, CONNECTED_LINE, simulated);
      this.#scheduleNext(simulated);
    }
    log.info({ devices: devices.length }, 'simulated devices started');
  }

  stop(): void {
    this.#running = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #scheduleNext(simulated: SimulatedDevice): void {
    this.#after(this.#between(1000, 5000), () => {
      this.#tick(simulated);
      this.#scheduleNext(simulated);
    });
  }

  #tick(simulated: SimulatedDevice): void {
    const id = simulated.device.id;
    if (this.#offline.has(id)) return;

    this.#wear(simulated);
    const roll = this.#random();
    if (roll < CRITICAL_CHANCE) {
      this.#emit(id, pick(simulated.critical, this.#random), simulated);
    } else if (roll < CRITICAL_CHANCE + BURST_CHANCE) {
      this.#burst(simulated);
    } else if (roll < CRITICAL_CHANCE + BURST_CHANCE + OFFLINE_CHANCE) {
      this.#goOffline(simulated);
    } else {
      this.#emit(id, pick(simulated.events, this.#random), simulated);
    }
  }

  #seedHealth({ device, service }: SimulatedDevice): void {
    if (!service) return;
    this.#options.health?.update(device.id, {
      batteryHealthPct: service.batteryHealthPct,
      chargeCycles: service.chargeCycles,
      lastCalibration: daysAgo(service.calibratedDaysAgo),
      calibrationIntervalDays: service.calibrationIntervalDays,
    });
  }

  /** Batteries age a little with use; now and then a charge cycle completes. */
  #wear({ device, service }: SimulatedDevice): void {
    const health = this.#options.health;
    if (!health || !service) return;

    const now = health.profile(device.id);
    health.update(device.id, {
      batteryHealthPct: Math.max(0, (now.batteryHealthPct ?? 0) - BATTERY_WEAR * this.#random()),
      chargeCycles: (now.chargeCycles ?? 0) + (this.#random() < CYCLE_CHANCE ? 1 : 0),
    });
  }

  #burst(simulated: SimulatedDevice): void {
    const count = 5 + Math.floor(this.#random() * 16);
    const span = this.#between(1000, 2000);
    const fault = pick(simulated.burst, this.#random);

    for (let i = 0; i < count; i++) {
      this.#after((span * i) / count, () => this.#emit(simulated.device.id, fault, simulated));
    }
  }

  #goOffline(simulated: SimulatedDevice): void {
    const { registry, hub, log } = this.#options;
    const id = simulated.device.id;
    const seconds = Math.round(this.#between(10_000, 40_000) / 1000);

    this.#offline.add(id);
    hub.publish(id, {
      severity: 'warning',
      code: 'W-LINK-0002',
      text: 'W-LINK-0002 No heartbeat from device for 10 s, marked offline',
    });
    registry.setOnline(id, false);
    log.debug({ deviceId: id }, 'simulated device offline');

    this.#after(seconds * 1000, () => {
      this.#offline.delete(id);
      registry.setOnline(id, true);
      hub.publish(id, {
        severity: 'notice',
        text: `Device back online after ${seconds} s, queued events delivered`,
      });
    });
  }

  #emit(sourceId: string, template: EventTemplate, simulated: SimulatedDevice): void {
    const text = fill(template.text, simulated, this.#random);
    this.#options.hub.publish(sourceId, {
      text,
      severity: template.severity,
      code: template.code ?? null,
    });
  }

  /** A delay in ms scaled by `speed`, uniformly in [min, max). */
  #between(min: number, max: number): number {
    return (min + (max - min) * this.#random()) / this.#speed;
  }

  #after(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#running) run();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
  }
}

/** Picks a template, each with a chance proportional to its weight. */
export function pick(templates: readonly EventTemplate[], random: () => number): EventTemplate {
  const total = templates.reduce((sum, t) => sum + t.weight, 0);
  let roll = random() * total;
  for (const template of templates) {
    roll -= template.weight;
    if (roll < 0) return template;
  }

  const last = templates.at(-1);
  if (!last) throw new Error('no event templates');
  return last;
}

const SENSOR_TYPES = ['Nellcor reusable', 'Masimo disposable', 'Welch Allyn finger clip'];

const NUMBERS: Record<string, [number, number]> = {
  ms: [40, 900],
  rssi: [48, 67],
  weakRssi: [78, 88],
  offset: [1, 40],
  battery: [55, 100],
  lowBattery: [12, 35],
  cuff: [150, 185],
  days: [3, 60],
  pages: [120, 4800],
  current: [410, 520],
};

/** Fills `{name}` placeholders with plausible service numbers and device facts. */
export function fill(text: string, simulated: SimulatedDevice, random: () => number): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (name === 'firmware') return simulated.device.firmware;
    if (name === 'sensor') return SENSOR_TYPES[Math.floor(random() * SENSOR_TYPES.length)] ?? '';
    if (name === 'ap') return `WARD-AP-${String(Math.floor(1 + random() * 24)).padStart(2, '0')}`;

    const range = NUMBERS[name];
    if (!range) return whole;
    return String(Math.floor(range[0] + (range[1] - range[0]) * random()));
  });
}
