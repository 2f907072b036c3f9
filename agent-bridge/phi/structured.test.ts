import { describe, expect, it } from 'vitest';
import { createPhiFilter } from './filter.ts';
import { identityTag } from './identity-keys.ts';
import { maskStructured, mayHoldStructured } from './structured.ts';
import type { Removals } from './tags.ts';

function mask(text: string): { text: string; removed: number } {
  const removals: Removals = { count: 0 };
  return { text: maskStructured(text, removals), removed: removals.count };
}

describe('JSON and JSON-like lines, masked by key', () => {
  it('masks identity keys whatever the value looks like and keeps the rest as written', () => {
    const line =
      '{"patientName": "x7", "dob":19840307, "mrn":"00482913", "nibp":"120/80 mmHg", "fw":"2.1.3"}';

    expect(mask(line)).toEqual({
      text: '{"patientName": "[NAME]", "dob":"[DOB]", "mrn":"[MRN]", "nibp":"120/80 mmHg", "fw":"2.1.3"}',
      removed: 3,
    });
  });

  it('walks nested objects and masks an identity object or array whole', () => {
    const line = JSON.stringify({
      device: { name: 'CVSM-W3', serial: '100123456789' },
      patient: {
        id: 'P-4471',
        first_name: 'Jane',
        surname: 'Doe',
        address: { street: '12 Oak St', city: 'Springfield' },
        contacts: [{ name: 'Bob Roe', phone: '555-123-4567' }],
        weight: '70 kg',
      },
    });

    expect(mask(line).text).toBe(
      JSON.stringify({
        device: { name: 'CVSM-W3', serial: '100123456789' },
        patient: {
          id: '[ID]',
          first_name: '[NAME]',
          surname: '[NAME]',
          address: '[ADDRESS]',
          contacts: [{ name: '[NAME]', phone: '[PHONE]' }],
          weight: '70 kg',
        },
      }),
    );
  });

  it('reads Python-style single quotes, but not an apostrophe in the text before', () => {
    expect(mask("Don't panic: {'given_name': 'Ann', 'lot': 'L7'}").text).toBe(
      "Don't panic: {'given_name': \"[NAME]\", 'lot': 'L7'}",
    );
  });

  it('masks to the end of a line cut short inside a value (fail closed)', () => {
    expect(mask('{"event":"x","patientName":"Jane Do').text).toBe(
      '{"event":"x","patientName":"[NAME]"',
    );
  });

  it('counts nothing for empty, null and boolean values', () => {
    expect(mask('{"name":null,"mrn":"","dob":false}')).toEqual({
      text: '{"name":null,"mrn":"","dob":false}',
      removed: 0,
    });
  });

  it('skips lines without quoted keys cheaply', () => {
    expect(mayHoldStructured('NIBP 120/80 mmHg "ok"')).toBe(false);
    expect(mayHoldStructured('{"a": 1}')).toBe(true);
  });

  it('runs inside the line filter, with the free-text rules on the other values', () => {
    const filter = createPhiFilter();

    expect(filter('{"msg":"call 555-123-4567","surname":"Ng","code":"E-NIBP-0412"}').text).toBe(
      '{"msg":"call [PHONE]","surname":"[NAME]","code":"E-NIBP-0412"}',
    );
  });
});

describe('key=value lines', () => {
  it('masks identity keys the free-text labels know', () => {
    const filter = createPhiFilter();

    expect(
      filter('first_name=John surname=Smith forename: Ann city=Springfield zip=62704 fw=2.1').text,
    ).toBe('first_name=[NAME] surname=[NAME] forename: [NAME] city=[ADDRESS] zip=[ADDRESS] fw=2.1');
  });
});

describe('identityTag', () => {
  it('reads keys and column headers in any spelling', () => {
    const tags = [
      'PatientName',
      'patient_name',
      'Last Name',
      'DOB',
      'birthDate',
      'MRN',
      'homePhone',
      'e-mail',
      'Postal Code',
      'patientId',
      'Insurance ID',
    ].map(identityTag);

    expect(tags).toEqual([
      'NAME',
      'NAME',
      'NAME',
      'DOB',
      'DOB',
      'MRN',
      'PHONE',
      'EMAIL',
      'ADDRESS',
      'ID',
      'INSURANCE',
    ]);
  });

  it('leaves device keys alone', () => {
    const keys = ['deviceName', 'Module Name', 'serial', 'ipAddress', 'MAC address', 'Room', 'id'];

    expect(keys.map(identityTag)).toEqual(keys.map(() => null));
  });
});
