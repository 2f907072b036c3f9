import type { PhiTag } from './tags.ts';

/** Segments that carry message, order, observation and equipment facts, no identity. */
const SERVICE_SEGMENTS = (
  'MSH EVN PV2 PD1 ORC OBR OBX NTE AL1 DG1 PR1 SPM TQ1 MSA ERR SFT QAK QPD RCP ROL TXA SAC ' +
  'EQU ECD INV ACK'
).split(' ');

/**
 * Which fields of each HL7 v2 segment identify a person, by field number (PID-5 is
 * entry 5). Numbers follow HL7 v2.5; later versions keep these positions. Segments listed
 * with no fields carry service or clinical facts only and are kept as they are. A segment
 * not listed here at all (Z-segments, anything unknown) is masked whole, because its
 * content is site-defined and may hold anything.
 */
export const HL7_IDENTIFYING_FIELDS: ReadonlyMap<string, ReadonlyMap<number, PhiTag>> = new Map(
  Object.entries({
    PID: {
      2: 'MRN',
      3: 'MRN',
      4: 'MRN',
      5: 'NAME',
      6: 'NAME',
      7: 'DOB',
      9: 'NAME',
      11: 'ADDRESS',
      12: 'ADDRESS',
      13: 'PHONE',
      14: 'PHONE',
      18: 'ACCOUNT',
      19: 'SSN',
      20: 'ID',
      21: 'ID',
      23: 'ADDRESS',
      29: 'DOB',
    },
    NK1: {
      2: 'NAME',
      4: 'ADDRESS',
      5: 'PHONE',
      6: 'PHONE',
      12: 'ID',
      13: 'NAME',
      16: 'DOB',
      30: 'NAME',
      31: 'PHONE',
      32: 'ADDRESS',
      33: 'ID',
      37: 'SSN',
    },
    PV1: { 19: 'ID', 50: 'ID' },
    GT1: {
      2: 'ID',
      3: 'NAME',
      4: 'NAME',
      5: 'ADDRESS',
      6: 'PHONE',
      7: 'PHONE',
      8: 'DOB',
      12: 'SSN',
      16: 'NAME',
      17: 'ADDRESS',
      18: 'PHONE',
      19: 'ID',
    },
    IN1: {
      8: 'INSURANCE',
      10: 'ID',
      11: 'NAME',
      16: 'NAME',
      18: 'DOB',
      19: 'ADDRESS',
      36: 'INSURANCE',
      49: 'ID',
    },
    IN2: { 1: 'ID', 2: 'SSN', 6: 'INSURANCE', 8: 'INSURANCE', 61: 'INSURANCE' },
    MRG: { 1: 'MRN', 2: 'MRN', 3: 'ACCOUNT', 4: 'MRN', 5: 'ID', 6: 'ID', 7: 'NAME' },
    ...Object.fromEntries(SERVICE_SEGMENTS.map((id) => [id, {}])),
  }).map(([id, fields]) => [
    id,
    new Map(Object.entries(fields).map(([n, tag]) => [Number(n), tag as PhiTag])),
  ]),
);
