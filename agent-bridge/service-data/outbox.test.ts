import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS } from '../../shared/protocol/common.ts';
import { ServiceReport, type ServiceEvent } from '../../shared/service-data.ts';
import { silentLogger } from '../log.ts';
import { ServiceOutbox } from './outbox.ts';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tether-outbox-'));
  file = join(dir, 'service-outbox.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function open(maxEvents?: number): ServiceOutbox {
  return new ServiceOutbox({ file, maxEvents, log: silentLogger() });
}

function event(n: number, text = `event ${n}`): ServiceEvent {
  return {
    at: new Date(1_750_000_000_000 + n).toISOString(),
    deviceId: 'dev-1',
    severity: 'info',
    code: null,
    text,
    redacted: 0,
  };
}

describe('ServiceOutbox', () => {
  it('keeps waiting events and unacknowledged reports across a restart', () => {
    const outbox = open();
    outbox.add(event(1));
    outbox.add(event(2));
    const sent = outbox.next([]);
    outbox.add(event(3));
    outbox.flush();

    const reopened = open();
    expect(reopened.inFlight).toEqual([sent]);
    expect(reopened.pendingCount).toBe(1);
    const next = reopened.next([]);
    expect(next.seq).toBe(sent.seq + 1);
    expect(next.events.map((e) => e.text)).toEqual(['event 3']);
  });

  it('forgets a report once acknowledged, and only once', () => {
    const outbox = open();
    outbox.add(event(1));
    const report = outbox.next([]);

    expect(outbox.ack(report.seq)).toBe(true);
    expect(outbox.ack(report.seq)).toBe(false);
    outbox.flush();
    expect(open().inFlight).toEqual([]);
  });

  it('writes a report to disk before handing it out, so no seq is used twice', () => {
    const outbox = open();
    outbox.add(event(1));
    const report = outbox.next([]);

    // No flush: a crash right after next() must still find the report on disk.
    const onDisk = JSON.parse(readFileSync(file, 'utf8')) as { nextSeq: number };
    expect(onDisk.nextSeq).toBe(report.seq + 1);
  });

  it('drops the oldest events past its bound and says how many in the next report', () => {
    const outbox = open(3);
    for (let n = 1; n <= 5; n++) outbox.add(event(n));

    const report = outbox.next([]);
    expect(report.events.map((e) => e.text)).toEqual(['event 3', 'event 4', 'event 5']);
    expect(report.droppedEvents).toBe(2);
    expect(outbox.next([]).droppedEvents).toBe(0);
  });

  it('keeps every report under the wire size limit and leaves the rest waiting', () => {
    const outbox = open();
    for (let n = 0; n < 60; n++) outbox.add(event(n, 'x'.repeat(3000)));

    const report = outbox.next([]);
    expect(JSON.stringify(report).length).toBeLessThan(MAX_MESSAGE_CHARS);
    expect(ServiceReport.safeParse(report).success).toBe(true);
    expect(report.events.length).toBeGreaterThan(10);
    expect(outbox.pendingCount).toBe(60 - report.events.length);
  });

  it('sets an unreadable file aside and starts empty', () => {
    writeFileSync(file, '{"version":1,"nextSeq":"oops"');
    const outbox = open();

    expect(outbox.inFlight).toEqual([]);
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toContain('oops');
    expect(outbox.next([]).seq).toBeGreaterThan(1_600_000_000);
  });
});
