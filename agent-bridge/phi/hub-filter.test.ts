import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../shared/logs.ts';
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
