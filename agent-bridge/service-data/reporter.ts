import type { LogLine, LogSource } from '../../shared/logs.ts';
import type { AgentToServer } from '../../shared/protocol/agent.ts';
import type { DeviceSnapshot, ServiceReport } from '../../shared/service-data.ts';
import type { DeviceHealthTracker } from '../devices/health.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import type { ServiceOutbox } from './outbox.ts';

export interface ReporterOptions {
  outbox: ServiceOutbox;
  health: DeviceHealthTracker;
  devices: DeviceRegistry;
  hub: LogHub;
  /** Sends on the server link; false when the link is down. */
  send: (message: AgentToServer) => boolean;
  /** Time between scheduled reports. */
  intervalMs: number;
  /** Most reports in flight (sent, not yet acknowledged). Default 2. */
  window?: number;
  /** How long a change waits for more changes before it is reported. Default 2 s. */
  settleMs?: number;
  /** An unacknowledged report is sent again after this long. Default 30 s. */
  ackTimeoutMs?: number;
  log: Logger;
}

/**
 * Reports the facility's device health and events to the server: on a schedule, soon
 * after a change (inventory, an error burst; changes close together make one report),
 * and again after every reconnect for whatever the server has not acknowledged.
 *
 * Back-pressure: at most `window` reports are unacknowledged at any time. While the
 * server is slow or away, new events wait in the outbox instead of piling up sends.
 */
export class ServiceReporter {
  readonly #options: ReporterOptions;
  readonly #log: Logger;
  readonly #window: number;
  readonly #ackTimeoutMs: number;
  /** Reports sent on the current connection, by seq, with when they were sent. */
  readonly #sent = new Map<number, number>();
  readonly #deviceOfSource = new Map<string, string>();
  #online = false;
  /** A report is owed: the schedule came round or something changed. */
  #due = true;
  /** The last report could not take every waiting event; the next one follows at once. */
  #draining = false;
  #interval: NodeJS.Timeout | undefined;
  #settle: NodeJS.Timeout | undefined;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: ReporterOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#window = options.window ?? 2;
    this.#ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
  }

  start(): void {
    const { hub, devices, health, intervalMs } = this.#options;
    const onLine = (line: LogLine): void => this.#onLine(line);
    const onSources = (sources: LogSource[]): void => this.#mapSources(sources);
    const onChange = (): void => this.soon();
    const onBurst = (deviceId: string): void => {
      this.#log.debug({ deviceId }, 'error burst; reporting soon');
      this.soon();
    };

    this.#mapSources(hub.sources());
    hub.on('line', onLine);
    hub.on('sources', onSources);
    devices.on('change', onChange);
    health.on('burst', onBurst);
    this.#unsubscribe.push(
      () => hub.off('line', onLine),
      () => hub.off('sources', onSources),
      () => devices.off('change', onChange),
      () => health.off('burst', onBurst),
    );

    this.#interval = setInterval(() => {
      this.#due = true;
      this.#pump();
    }, intervalMs);
    this.#interval.unref();
  }

  /** Stops reporting and writes the outbox to disk. */
  stop(): void {
    clearInterval(this.#interval);
    clearTimeout(this.#settle);
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#options.outbox.flush();
  }

  /** The server link went up or down. Up: unacknowledged reports go again, then a new one. */
  setOnline(online: boolean): void {
    this.#online = online;
    this.#sent.clear();
    if (!online) return;

    this.#due = true;
    this.#pump();
  }

  /** The server stored report `seq`. */
  acknowledged(seq: number): void {
    this.#sent.delete(seq);
    if (!this.#options.outbox.ack(seq)) {
      this.#log.debug({ seq }, 'acknowledgement of a report no longer in flight');
    }
    this.#pump();
  }

  /** Asks for a report soon; calls close together make one report. */
  soon(): void {
    if (this.#settle) return;
    this.#settle = setTimeout(() => {
      this.#settle = undefined;
      this.#due = true;
      this.#pump();
    }, this.#options.settleMs ?? 2000);
    this.#settle.unref();
  }

  #pump(): void {
    if (!this.#online) return;
    const { outbox } = this.#options;

    const now = Date.now();
    for (const report of outbox.inFlight) {
      const sentAt = this.#sent.get(report.seq);
      if (sentAt !== undefined && now - sentAt < this.#ackTimeoutMs) continue;
      if (sentAt !== undefined) this.#log.warn({ seq: report.seq }, 'report not acknowledged');
      if (!this.#send(report)) return;
    }

    while (outbox.inFlight.length < this.#window && (this.#due || this.#draining)) {
      const report = outbox.next(this.#snapshots());
      this.#due = false;
      this.#draining = outbox.pendingCount > 0;
      if (!this.#send(report)) return;
    }
  }

  #send(report: ServiceReport): boolean {
    if (!this.#options.send(report)) return false;

    this.#sent.set(report.seq, Date.now());
    this.#log.debug(
      { seq: report.seq, events: report.events.length, devices: report.devices.length },
      'service report sent',
    );
    return true;
  }

  #snapshots(): DeviceSnapshot[] {
    const { devices, health } = this.#options;
    return devices.list().map((device) => {
      const lastEvent = health.lastEventAt(device.id);
      const lastSeen =
        lastEvent && (!device.lastSeen || lastEvent > device.lastSeen)
          ? lastEvent
          : device.lastSeen;

      return { device: { ...device, lastSeen }, health: health.snapshot(device.id, true) };
    });
  }

  #onLine(line: LogLine): void {
    const deviceId = this.#deviceOfSource.get(line.source);
    // Only device events are service data; dropped files stay in sessions.
    if (!deviceId) return;

    this.#options.health.record(deviceId, line);
    this.#options.outbox.add({
      at: line.at,
      deviceId,
      severity: line.severity,
      code: line.code,
      text: line.text,
      redacted: line.redacted,
    });
  }

  #mapSources(sources: LogSource[]): void {
    this.#deviceOfSource.clear();
    for (const source of sources) {
      if (source.kind === 'device' && source.deviceId) {
        this.#deviceOfSource.set(source.id, source.deviceId);
      }
    }
  }
}
