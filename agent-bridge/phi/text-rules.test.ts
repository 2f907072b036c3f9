import { describe, expect, it } from 'vitest';
import type { Removals } from './tags.ts';
import { createTextMasker } from './text-rules.ts';

const maskText = createTextMasker(['stmarys.example']);

function mask(text: string): string {
  const removals: Removals = { count: 0 };
  return maskText(text, removals);
}

/** Each case: input, expected output. One block per rule. */
const CASES: Record<string, Array<[string, string]>> = {
  'names after patient cues': [
    ['stored for patient John Smith ok', 'stored for patient [NAME] ok'],
    ['Pt Doe, Jane (bed 3)', 'Pt [NAME] (bed 3)'],
    ['for patient SMITH^JOHN^Q done', 'for patient [NAME] done'],
    ["PATIENT Mary-Ann O'Neil, MRN 00123456", 'PATIENT [NAME], MRN [MRN]'],
  ],
  'labelled fields': [
    ['name: Jane Doe, DOB: 1984-03-07', 'name: [NAME], DOB: [DOB]'],
    ['patient=Smith,John mrn=A77120', 'patient=[NAME] mrn=[MRN]'],
    ['patient_name="Jane Q Doe" ward=3', 'patient_name=[NAME] ward=3'],
    ['ssn=123456789 phone: +1 555 123 4567', 'ssn=[SSN] phone: [PHONE]'],
    ['email=jane@example.org acct: 55120', 'email=[EMAIL] acct: [ACCOUNT]'],
    ['insurance: BC-7781; policy=XK449921', 'insurance: [INSURANCE]; policy=[INSURANCE]'],
    ['address: 12 Oak Street, Springfield; bed=4', 'address: [ADDRESS]; bed=4'],
  ],
  'numbers after their labels': [
    ['MRN 00482913 and MR# 7731', 'MRN [MRN] and MR# [MRN]'],
    ['medical record number 5512 closed', 'medical record number [MRN] closed'],
    ['account 5512001, acct # 42', 'account [ACCOUNT], acct # [ACCOUNT]'],
    ['policy number XK-449921 member id 77A1', 'policy number [INSURANCE] member id [INSURANCE]'],
    ['patient id 4471 visit number 99', 'patient id [ID] visit number [ID]'],
  ],
  'dates of birth': [
    ['DOB 1984-03-07', 'DOB [DOB]'],
    ['dob: 03/07/1984', 'dob: [DOB]'],
    ['born 7.3.1984', 'born [DOB]'],
    ['date of birth 07-Mar-1984', 'date of birth [DOB]'],
    ['birthdate=19840307', 'birthdate=[DOB]'],
  ],
  'SSNs, phones, addresses': [
    ['ref 123-45-6789 end', 'ref [SSN] end'],
    ['call +1 (555) 123-4567 now', 'call [PHONE] now'],
    ['call 555-123-4567 or +44 20 7946 0958', 'call [PHONE] or [PHONE]'],
    ['ship to 221B Baker Street, London', 'ship to [ADDRESS]'],
    ['visit 1600 Pennsylvania Avenue, Apt 4, Springfield, IL 62704.', 'visit [ADDRESS].'],
  ],
  'e-mail, private addresses and internal hosts': [
    ['mail jane.doe+x@hospital.org today', 'mail [EMAIL] today'],
    ['to 10.1.2.3:2575 and 172.20.0.9, 192.168.1.10', 'to [IP]:2575 and [IP], [IP]'],
    ['from fe80::1c2b:3ff:fe4a:1%eth0 and fd12:3456::9', 'from [IP] and [IP]'],
    ['via pacs01.radiology.local and EMR.CORP', 'via [HOST] and [HOST]'],
    [
      'via gw.lan, ris.internal, stmarys.example, a.stmarys.example',
      'via [HOST], [HOST], [HOST], [HOST]',
    ],
  ],
};

describe('free-text rules', () => {
  for (const [rule, cases] of Object.entries(CASES)) {
    it(`masks ${rule}`, () => {
      for (const [input, expected] of cases) expect(mask(input), input).toBe(expected);
    });
  }

  it('counts each item it removes', () => {
    const removals: Removals = { count: 0 };
    maskText('patient John Smith MRN 1234 DOB 1984-03-07 at 10.0.0.1', removals);

    expect(removals.count).toBe(4);
  });
});

describe('service facts the rules leave alone', () => {
  const kept = [
    'Module name: NIBP, device name=CVSM-6400-W3',
    'CVSM 6400 SN 100123456789 serial 100198765432 firmware 2.43.02 fw 1.52.00',
    'E-NIBP-0412 Overpressure detected; W-NET-0107 Wi-Fi signal weak (RSSI -71 dBm)',
    '2025-03-07T12:00:01.123Z 03/07/2025 12:00:01 Mar  7 12:00:01 [2025-03-07 12:00:01,123]',
    'NIBP 120/80 mmHg, SpO2 97 %, pulse 72 bpm, cycle #35719, 1234 pages printed',
    'LOINC 8867-4 8480-6 59408-5; public peer 8.8.8.8; patient monitoring started',
    'patient mode adult, Patient Data cleared, pt 3 of 12',
  ];

  for (const line of kept) {
    it(`keeps "${line.slice(0, 40)}…"`, () => expect(mask(line)).toBe(line));
  }
});
