import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_MESSAGE_CHARS } from '../../shared/protocol/common.ts';
import {
  MAX_REPORT_EVENTS,
  ServiceEvent,
  ServiceReport,
  type DeviceSnapshot,
} from '../../shared/service-data.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

const OutboxFile = z.object({
  version: z.literal(1),
  nextSeq: z.number().int().min(1),
  pending: z.array(ServiceEvent),
  inFlight: z.array(ServiceReport),
  dropped: z.number().int().nonnegative(),
});
type OutboxFile = z.infer<typeof OutboxFile>;

export interface OutboxOptions {
  /** The outbox file, in the agent's data folder. */
  file: string;
  /** Most events waiting to be reported; past it the oldest are dropped. Default 5000. */
  maxEvents?: number;
  /** How long added events may wait before they are written to disk. Default 250 ms. */
  writeDelayMs?: number;
  log: Logger;
}

/** Room left in a report for its events, under the wire's size limit. */
const REPORT_BUDGET_CHARS = MAX_MESSAGE_CHARS - 4 * 1024;

/**
 * Service reports on their way to the server, kept on disk so that nothing is lost when
 * the link drops or the agent restarts. Events wait in `pending` until a report takes
 * them; a report stays `inFlight` until the server acknowledges its `seq`. A report is
 * written to disk before it is sent, so a sequence number never names two reports.
 *
 * Added events reach the disk within `writeDelayMs`; a crash inside that window loses
 * them (a clean stop writes everything).
 */
export class ServiceOutbox {
  readonly #file: string;
  readonly #maxEvents: number;
  readonly #writeDelayMs: number;
  readonly #log: Logger;
  #state: OutboxFile;
  #writeTimer: NodeJS.Timeout | undefined;

  constructor(options: OutboxOptions) {
    this.#file = options.file;
    this.#maxEvents = options.maxEvents ?? 5000;
    this.#writeDelayMs = options.writeDelayMs ?? 250;
    this.#log = options.log;
    this.#state = this.#load();
  }

  /** Reports sent (or about to be) that the server has not acknowledged, oldest first. */
  get inFlight(): readonly ServiceReport[] {
    return this.#state.inFlight;
  }

  get pendingCount(): number {
    return this.#state.pending.length;
  }

  /** Queues one event; past the bound, the oldest waiting event makes room. */
  add(event: ServiceEvent): void {
    const { pending } = this.#state;
    pending.push(event);
    if (pending.length > this.#maxEvents) {
      const excess = pending.length - this.#maxEvents;
      pending.splice(0, excess);
      if (this.#state.dropped === 0) {
        this.#log.warn(
          { maxEvents: this.#maxEvents },
          'service outbox full; dropping the oldest device events until the server takes them',
        );
      }
      this.#state.dropped += excess;
    }
    this.#scheduleWrite();
  }

  /**
   * Makes the next report from `devices` and as many waiting events as fit, records it as
   * in flight and writes the outbox to disk before returning it.
   */
  next(devices: DeviceSnapshot[], now = new Date()): ServiceReport {
    const { pending } = this.#state;
    let room = REPORT_BUDGET_CHARS - JSON.stringify(devices).length;
    let count = 0;
    while (count < pending.length && count < MAX_REPORT_EVENTS) {
      room -= JSON.stringify(pending[count]).length + 1;
      if (room < 0 && count > 0) break;
      count++;
    }

    const report: ServiceReport = {
      type: 'service.report',
      seq: this.#state.nextSeq,
      createdAt: now.toISOString(),
      devices,
      events: pending.splice(0, count),
      droppedEvents: this.#state.dropped,
    };
    if (report.droppedEvents > 0) {
      this.#log.warn({ seq: report.seq, dropped: report.droppedEvents }, 'device events dropped');
    }
    this.#state.nextSeq += 1;
    this.#state.dropped = 0;
    this.#state.inFlight.push(report);
    this.flush();

    return report;
  }

  /** Forgets report `seq`; false when it was not in flight (a repeated acknowledgement). */
  ack(seq: number): boolean {
    const index = this.#state.inFlight.findIndex((report) => report.seq === seq);
    if (index < 0) return false;

    this.#state.inFlight.splice(index, 1);
    this.#scheduleWrite();
    return true;
  }

  /** Writes the outbox now: to a temporary file first, then renamed over the old one. */
  flush(): void {
    clearTimeout(this.#writeTimer);
    this.#writeTimer = undefined;
    const temporary = `${this.#file}.tmp`;
    try {
      writeFileSync(temporary, JSON.stringify(this.#state), { mode: 0o600 });
      renameSync(temporary, this.#file);
    } catch (error) {
      this.#log.warn({ error: describeError(error) }, 'could not write the service outbox');
    }
  }

  #scheduleWrite(): void {
    if (this.#writeTimer) return;
    this.#writeTimer = setTimeout(() => this.flush(), this.#writeDelayMs);
    this.#writeTimer.unref();
  }

  #load(): OutboxFile {
    // A new outbox numbers from the clock (seconds), not from 1: the server may hold
    // reports of an earlier outbox of this agent, and must not take new ones for those.
    const nextSeq = Math.max(1, Math.floor(Date.now() / 1000));
    const empty: OutboxFile = { version: 1, nextSeq, pending: [], inFlight: [], dropped: 0 };
    if (!existsSync(this.#file)) return empty;

    try {
      const state = OutboxFile.parse(JSON.parse(readFileSync(this.#file, 'utf8')));
      this.#log.info(
        { pending: state.pending.length, inFlight: state.inFlight.length },
        'service outbox loaded',
      );
      return state;
    } catch (error) {
      // Kept aside for a person to look at; what it held is lost.
      renameSync(this.#file, `${this.#file}.unreadable`);
      this.#log.warn(
        { error: describeError(error), file: this.#file },
        'service outbox unreadable; set aside and started empty',
      );
      return empty;
    }
  }
}
