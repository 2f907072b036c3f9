import { describe, expect, it } from 'vitest';
import { readHeader, splitFields } from './delimited.ts';
import { createPhiFilter } from './filter.ts';
import { PhiStream, PhiStreams } from './stream.ts';

function run(lines: string[]): Array<[string, number]> {
  const stream = new PhiStream(createPhiFilter());
  return lines.map((line) => {
    const { text, removed } = stream.next(line);
    return [text, removed];
  });
}

describe('delimited exports', () => {
  it('masks identity columns by header in CSV, keeps the others', () => {
    expect(
      run([
        'PatientName,MRN,DOB,Room,Result',
        '"Doe, Jane",00482913,1984-03-07,W3-12,NIBP 120/80 mmHg',
        'Jane Doe,A77120,07/03/1984,W3-14,SpO2 97 %',
      ]),
    ).toEqual([
      ['PatientName,MRN,DOB,Room,Result', 0],
      ['[NAME],[MRN],[DOB],W3-12,NIBP 120/80 mmHg', 3],
      ['[NAME],[MRN],[DOB],W3-14,SpO2 97 %', 3],
    ]);
  });

  it('reads tab, semicolon and pipe exports, and masks values nothing else would catch', () => {
    expect(run(['Last Name\tFirst Name\tWard', 'xq\tzz\tW3'])[1]).toEqual([
      '[NAME]\t[NAME]\tW3',
      2,
    ]);
    expect(run(['Nachname;Vorname;Patient ID;Raum', 'Ng;Bo;4471;W3'])[1]).toEqual([
      'Ng;Bo;[ID];W3',
      1,
    ]);
    expect(run(['Name|Phone|Device', 'Al|555 0101|CVSM 6400'])[1]).toEqual([
      '[NAME]|[PHONE]|CVSM 6400',
      2,
    ]);
  });

  it('still filters kept columns as free text', () => {
    expect(run(['MRN,Comment', '0048,called John Smith at 555-123-4567'])[1]).toEqual([
      '[MRN],called [NAME] at [PHONE]',
      3,
    ]);
  });

  it('masks a row whole when its field count does not match the header (fail closed)', () => {
    expect(run(['PatientName,MRN,Room', 'Jane Doe,0048,W3,extra', 'Doe', '']).slice(1)).toEqual([
      ['[ID]', 1],
      ['[ID]', 1],
      ['', 0],
    ]);
  });

  it('keeps empty identity cells empty and Windows line ends in place', () => {
    expect(run(['Name,DOB,Room\r', ',,W3\r'])).toEqual([
      ['Name,DOB,Room\r', 0],
      [',,W3\r', 0],
    ]);
  });

  it('lets a new header replace the old one, never end the table', () => {
    const out = run(['MRN,Room', '0048,W3', 'Room,Patient', 'W4,Jane Doe', 'Room,Result', 'W5,ok']);

    expect(out.map(([text]) => text)).toEqual([
      'MRN,Room',
      '[MRN],W3',
      'Room,Patient',
      'W4,[NAME]',
      // A header naming no identity could as well be a row: it is masked as one.
      'Room,[NAME]',
      'W5,[NAME]',
    ]);
  });

  it('takes only lines of column names, with one naming identity, for a header', () => {
    expect(readHeader('Timestamp,Serial,Error')).toBeNull();
    expect(readHeader('2025-03-07,MRN,DOB')).toBeNull();
    expect(readHeader('INFO: name=Jane, dob=1984')).toBeNull();
    expect(readHeader('PID|1||123')).toBeNull();
    expect(readHeader('"Patient Name","Room"')).toEqual({
      delimiter: ',',
      columns: ['NAME', null],
    });
  });

  it('splits quoted fields the way spreadsheets write them', () => {
    expect(splitFields('"Doe, Jane","say ""hi""",3', ',')).toEqual([
      '"Doe, Jane"',
      '"say ""hi"""',
      '3',
    ]);
  });

  it('keeps one header per source', () => {
    const streams = new PhiStreams(createPhiFilter());
    streams.next('file:a.csv', 'Name,Room');
    streams.next('file:b.csv', 'Room,Result');

    expect(streams.next('file:a.csv', 'Jane Doe,W3').text).toBe('[NAME],W3');
    expect(streams.next('file:b.csv', 'W3,ok').text).toBe('W3,ok');
    expect(streams.next('device', 'Jane Doe,W3').text).toBe('[NAME],W3');

    streams.reset('file:a.csv');
    expect(streams.next('file:a.csv', 'W3,ok').text).toBe('W3,ok');
    streams.observe('file:a.csv', 'Room,DOB');
    expect(streams.next('file:a.csv', 'W3,1984-03-07').text).toBe('W3,[DOB]');
  });
});
