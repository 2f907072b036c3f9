import { describe, expect, it } from 'vitest';
import { createPhiFilter } from './filter.ts';
import { PhiSettings } from './settings.ts';
import { filterBytes, filterText } from './whole-text.ts';

describe('filterText', () => {
  it('filters every line, totals the items removed and keeps the line ends', () => {
    const text =
      'CVSM 6400 SN 100123456789 fw 2.43.02\r\n' +
      'patient John Smith MRN 00482913\r\n' +
      'PatientName,MRN,Room\r\n' +
      '"Doe, Jane",0048,W3\r\n';

    expect(filterText(text)).toEqual({
      text:
        'CVSM 6400 SN 100123456789 fw 2.43.02\r\n' +
        'patient [NAME] MRN [MRN]\r\n' +
        'PatientName,MRN,Room\r\n' +
        '[NAME],[MRN],W3\r\n',
      removed: 4,
      lines: 4,
    });
  });

  it('counts a last line without a newline, and an empty text as none', () => {
    expect(filterText('a\nb')).toEqual({ text: 'a\nb', removed: 0, lines: 2 });
    expect(filterText('')).toEqual({ text: '', removed: 0, lines: 0 });
  });

  it('uses the filter it is given', () => {
    const filter = createPhiFilter(PhiSettings.parse({ internalHosts: ['stmarys.example'] }));

    expect(filterText('sync emr.stmarys.example\n', filter).text).toBe('sync [HOST]\n');
  });

  it('masks a binary file line by line, its printable lines too', () => {
    const bytes = new Uint8Array([
      ...Buffer.from('JOHN SMITH E-NIBP-0412\n'),
      0x00,
      0xff,
      0xfe,
      0x01,
      0x02,
      ...Buffer.from('\nmore\n'),
    ]);
    const result = filterBytes(bytes);

    // The line of junk alone leaves nothing; the printable "more" goes too.
    expect(result.text).toBe('[ID] E-NIBP-0412\n\n[ID]\n');
    expect(result.removed).toBe(2);
    expect(result.text).not.toContain('SMITH');
  });
});
