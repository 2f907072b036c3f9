import { describe, expect, it } from 'vitest';
import { maskHl7, mayHoldHl7 } from './hl7.ts';
import type { Removals } from './tags.ts';

function mask(line: string): { text: string; removed: number } {
  const removals: Removals = { count: 0 };
  return { text: maskHl7(line, removals), removed: removals.count };
}

describe('maskHl7', () => {
  it('masks PID identity by position and keeps the other fields', () => {
    const pid =
      'PID|1|X1|00482913^^^HOSP^MR|ALT9|DOE^JANE^Q|ROE|19840307|F|ALIAS|2106-3|' +
      '12 Oak St^^Springfield^IL^62704|CNTY|5551234567|5559876543|en|M|CHR|A5512|123-45-6789';
    const out = mask(pid).text.split('|');

    expect(out[0]).toBe('PID');
    expect(out[1]).toBe('1');
    expect(out.slice(2, 8)).toEqual(['[MRN]', '[MRN]', '[MRN]', '[NAME]', '[NAME]', '[DOB]']);
    expect(out[8]).toBe('F');
    expect(out[9]).toBe('[NAME]');
    expect(out[10]).toBe('2106-3');
    expect(out.slice(11, 15)).toEqual(['[ADDRESS]', '[ADDRESS]', '[PHONE]', '[PHONE]']);
    expect(out.slice(15, 18)).toEqual(['en', 'M', 'CHR']);
    expect(out.slice(18)).toEqual(['[ACCOUNT]', '[SSN]']);
  });

  it('masks NK1, GT1, IN1, IN2 and MRG identity', () => {
    expect(mask('NK1|1|ROE^RICHARD|SPO|1 Elm Dr^^Town|5551112222').text).toBe(
      'NK1|1|[NAME]|SPO|[ADDRESS]|[PHONE]',
    );
    expect(mask('GT1|1|G77|DOE^JANE||1 Elm Dr|555||||||123-45-6789').text).toBe(
      'GT1|1|[ID]|[NAME]||[ADDRESS]|[PHONE]||||||[SSN]',
    );
    const in1 = `IN1|1|BC01|4471|Blue Cross||||GRP77${'|'.repeat(8)}DOE^JANE`;
    expect(mask(in1).text).toBe(`IN1|1|BC01|4471|Blue Cross||||[INSURANCE]${'|'.repeat(8)}[NAME]`);
    expect(mask('IN2|E55|123-45-6789').text).toBe('IN2|[ID]|[SSN]');
    expect(mask('MRG|00111^^^H|||00111|V1||OLD^NAME').text).toBe('MRG|[MRN]|||[MRN]|[ID]||[NAME]');
  });

  it('keeps MSH, OBR and OBX with their LOINC codes and values', () => {
    const line =
      'MSH|^~\\&|CVSM6400|WARD3|EMR|HOSP|202503071200||ORU^R01|M1|P|2.5\r' +
      'OBR|1||ORD1|85354-9^Blood pressure panel^LN\r' +
      'OBX|1|NM|8867-4^Heart rate^LN||72|/min|||||F';

    expect(mask(line)).toEqual({ text: line, removed: 0 });
  });

  it('finds segments after a log prefix and between escaped or raw CRs', () => {
    const out = mask(
      '12:00:01 HL7 rx MSH|^~\\&|A|B\\rPID|1||123||DOE^J\rPV1|1|I|W3||||||||||||||||V9',
    );

    expect(out.text).toBe(
      '12:00:01 HL7 rx MSH|^~\\&|A|B\\rPID|1||[MRN]||[NAME]\rPV1|1|I|W3||||||||||||||||[ID]',
    );
    expect(out.removed).toBe(3);
  });

  it('uses the field separator MSH-1 declares', () => {
    const out = mask('MSH#^~\\&#APP\rPID#1##123##DOE^JANE');

    expect(out.text).toBe('MSH#^~\\&#APP\rPID#1##[MRN]##[NAME]');
  });

  it('masks every field of a segment it does not know (Z-segments, garbled names)', () => {
    expect(mask('ZPI|1|Jane private note|x').text).toBe('ZPI|[ID]|[ID]|[ID]');
    expect(mask('note: QQ1|who knows|what').text).toBe('note: QQ1|[ID]|[ID]');
  });

  it('leaves lines without segments alone and skips them cheaply', () => {
    expect(mask('INFO|pump ok').text).toBe('INFO|pump ok');
    expect(mayHoldHl7('NIBP cycle completed')).toBe(false);
    expect(mayHoldHl7('a|b')).toBe(true);
  });
});
