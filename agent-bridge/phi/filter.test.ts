import { describe, expect, it } from 'vitest';
import { createPhiFilter } from './filter.ts';
import { PhiSettings } from './settings.ts';

describe('createPhiFilter', () => {
  const filter = createPhiFilter();

  it('masks HL7 fields and free text in the same line and counts both', () => {
    const result = filter(
      'HL7 rx for patient Jane Doe: PID|1||00482913^^^H^MR||DOE^JANE||19840307',
    );

    expect(result.text).toBe('HL7 rx for patient [NAME]: PID|1||[MRN]||[NAME]||[DOB]');
    expect(result.removed).toBe(4);
  });

  it('passes a plain service line through unchanged with nothing removed', () => {
    const line = '2025-03-07T12:00:01Z CVSM 6400 SN 100123456789 E-NIBP-0412 120/80 mmHg';

    expect(filter(line)).toEqual({ text: line, removed: 0 });
  });

  it('masks a binary line whole except its service codes', () => {
    const result = filter(
      '\u0000\u0001\u0002JOHN SMITH\u0003\u0004 E-NIBP-0412 \ufffd\u0005 0048291',
    );

    expect(result).toEqual({ text: '[ID] E-NIBP-0412', removed: 1 });
  });

  it('leaves nothing of a line that has nothing printable, and counts nothing', () => {
    expect(filter('\u0000\u0001\u0002\ufffd ')).toEqual({ text: '', removed: 0 });
  });

  it('keeps HL7 framing bytes and tabs from counting as binary', () => {
    const result = filter('\u000bMSH|^~\\&|A\rPID|1||123\u001c\r\tok');

    expect(result.text).toBe('\u000bMSH|^~\\&|A\rPID|1||[MRN]\u001c\r\tok');
  });

  it('applies the policy: extra patterns, keep patterns and internal hosts', () => {
    const custom = createPhiFilter(
      PhiSettings.parse({
        extraPatterns: [
          { pattern: 'H\\d{2}-\\d{4}', tag: 'MRN' },
          { pattern: 'bed [a-z]', tag: 'ID', ignoreCase: true },
        ],
        keepPatterns: ['ASSET 555-123-4567'],
        internalHosts: ['.stmarys.example'],
      }),
    );

    expect(custom('chart H12-3456 in BED C').text).toBe('chart [MRN] in [ID]');
    expect(custom('mrn=H12-3456')).toEqual({ text: 'mrn=[MRN]', removed: 1 });
    expect(custom('tag ASSET 555-123-4567 vs 555-123-4567').text).toBe(
      'tag ASSET 555-123-4567 vs [PHONE]',
    );
    expect(custom('pacs.stmarys.example up').text).toBe('[HOST] up');
  });

  it('does not let a keep pattern reopen an HL7 patient field', () => {
    const custom = createPhiFilter(PhiSettings.parse({ keepPatterns: ['00482913'] }));

    expect(custom('PID|1||00482913||DOE^J').text).toBe('PID|1||[MRN]||[NAME]');
  });

  it('ignores the private-use markers a line might carry to fake a kept span', () => {
    const custom = createPhiFilter(PhiSettings.parse({ keepPatterns: ['SAFE'] }));

    expect(custom('SAFE \ue0000\ue001 patient John Smith').text).toBe('SAFE 0 patient [NAME]');
  });
});
