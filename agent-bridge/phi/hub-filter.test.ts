import { appendFileSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/logs.ts';
import { silentLogger } from '../log.ts';
import { DropFolder } from '../logs/drop-folder.ts';
import { LogHub } from '../logs/hub.ts';
import { createPhiFilter } from './filter.ts';
import { PhiSettings } from './settings.ts';

describe('LogHub with the PHI filter', () => {
  it('filters every published line and records how many items went', () => {
    const hub = new LogHub();
    const seen: LogLine[] = [];
    hub.on('line', (line) => seen.push(line));

    hub.publish('file:adt.log', { text: 'ERROR E-HL7-0042 rejected PID|1||00482913||DOE^JANE\r' });
    hub.publish('dev-1', {
      text: 'W-NET-0107 signal weak',
      severity: 'warning',
      code: 'W-NET-0107',
    });

    expect(seen.map((l) => [l.text, l.redacted, l.code, l.severity])).toEqual([
      ['ERROR E-HL7-0042 rejected PID|1||[MRN]||[NAME]', 2, 'E-HL7-0042', 'error'],
      ['W-NET-0107 signal weak', 0, 'W-NET-0107', 'warning'],
    ]);
    expect(hub.recent(1)[0]?.text).toBe('W-NET-0107 signal weak');
  });

  it('uses the filter it is given, e.g. one built from the policy', () => {
    const filter = createPhiFilter(PhiSettings.parse({ internalHosts: ['stmarys.example'] }));
    const hub = new LogHub(10, filter);

    expect(hub.publish('a', { text: 'sync to emr.stmarys.example failed' })?.text).toBe(
      'sync to [HOST] failed',
    );
  });

  it('caps the count at what the wire format allows', () => {
    const hub = new LogHub();
    const many = Array.from({ length: 1200 }, (_, i) => `MRN ${1000 + i}`).join(' ');

    expect(hub.publish('a', { text: many })?.redacted).toBe(1000);
  });
});

describe('delimited exports through the hub and the drop folder', () => {
  const folders: DropFolder[] = [];
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((f) => f.stop()));
  });

  async function follow(dir: string, initialLines = 200) {
    const hub = new LogHub();
    const folder = new DropFolder({ dir, hub, log: silentLogger(), pollMs: 60_000, initialLines });
    folders.push(folder);
    await folder.start();
    const texts = (source: string) =>
      hub
        .recent(5000)
        .filter((l) => l.source === source)
        .map((l) => l.text);

    return { hub, folder, texts };
  }

  it('keeps a header per source, so rows of one export are masked by its own columns', () => {
    const hub = new LogHub();
    hub.publish('file:a.csv', { text: 'PatientName,Room' });
    hub.publish('file:b.csv', { text: 'Room,DOB' });

    expect(hub.publish('file:a.csv', { text: 'Jane Doe,W3' })?.text).toBe('[NAME],W3');
    expect(hub.publish('file:b.csv', { text: 'W3,1984-03-07' })?.text).toBe('W3,[DOB]');
    expect(hub.publish('dev-1', { text: 'W3,1984-03-07' })?.text).toBe('W3,1984-03-07');
  });

  it('reads the header of a file followed from its tail; forgets it when the file restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-export-'));
    const file = join(dir, 'export.csv');
    const rows = Array.from({ length: 6000 }, (_, i) => `Pat${i} Doe,${10000 + i},W${i % 9}`);
    writeFileSync(file, ['PatientName,MRN,Room', ...rows, ''].join('\n'));
    const { folder, texts } = await follow(dir, 2);

    // 6000 rows are more than the tail read at start: the header is read apart.
    expect(texts('file:export.csv')).toEqual(['[NAME],[MRN],W4', '[NAME],[MRN],W5']);

    appendFileSync(file, 'Jane Roe,77120,W1\n');
    await folder.scan();
    expect(texts('file:export.csv').at(-1)).toBe('[NAME],[MRN],W1');

    truncateSync(file, 0);
    await folder.scan();
    appendFileSync(file, 'Room,Result\nW2,ok\n');
    await folder.scan();
    expect(texts('file:export.csv').slice(-2)).toEqual(['Room,Result', 'W2,ok']);
  });

  it('sees the header of a short file whose tail leaves it out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phi-export-'));
    writeFileSync(join(dir, 'short.csv'), 'DOB,Room\n1984-03-07,W3\n1990-01-02,W4\n');
    const { texts } = await follow(dir, 1);

    expect(texts('file:short.csv')).toEqual(['[DOB],W4']);
  });
});
