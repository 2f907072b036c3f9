import { DEMO_FACILITY_DEVICES } from '../devices/demo-facility.ts';
import {
  addressLine,
  exportLines,
  structuredLine,
  uncuedNameLine,
  vocabularyLines,
  type PlantedPerson,
} from './corpus-more.ts';

/**
 * A generated device log with planted patient identifiers, for tests and the benchmark:
 * vital-signs monitor lines in the style of the Demo Facility and HL7 v2 ADT/ORU traffic
 * as interface engines log it. Each line lists what it planted and which service facts it
 * carries, so a test can check that the first are gone and the second are intact.
 */
export interface CorpusLine {
  text: string;
  /** Identifiers that must not survive the filter. */
  planted: string[];
  /** Service facts that must survive it unchanged. */
  facts: string[];
  /** The log source the line comes from when it is not the device log: an export file. */
  source?: string;
}

const FIRST = ['John', 'Maria', 'Aisha', 'Liam', 'Sofia', 'Noah', 'Olivia', 'Mateo', 'Emma'];
const LAST = ['Smith', 'Garcia', 'Okafor', 'Novak', 'Lindqvist', 'Haddad', 'Brennan', 'Tanaka'];
const CITIES = ['Springfield', 'Riverton', 'Fairview', 'Lakewood'];
const STREETS = ['Oak Street', 'Maple Avenue', 'Harbor Road', 'Elm Drive', 'Cedar Lane'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov'];
const HOST_SUFFIXES = ['local', 'lan', 'internal', 'corp'];
const CODES = ['E-NIBP-0412', 'W-NET-0107', 'W-SPO2-0121', 'E-SPO2-0233', 'C-SYS-0901'];
const LOINC = [
  ['8867-4', 'Heart rate'],
  ['8480-6', 'Systolic blood pressure'],
  ['8462-4', 'Diastolic blood pressure'],
  ['59408-5', 'Oxygen saturation'],
  ['8310-5', 'Body temperature'],
] as const;

/** A small deterministic generator, so a failing line can be found again by its seed. */
class Dice {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }

  int(min: number, max: number): number {
    // xorshift32: fast and good enough to vary test data.
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return min + (this.#state % (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)] as T;
  }

  digits(count: number): string {
    let out = String(this.int(1, 9));
    while (out.length < count) out += String(this.int(0, 9));
    return out;
  }
}

const pad = (n: number): string => String(n).padStart(2, '0');

interface Person {
  first: string;
  last: string;
  mrn: string;
  dob: { y: number; m: number; d: number };
  ssn: string;
  phone: string;
  email: string;
  street: string;
  city: string;
  account: string;
  policy: string;
}

function person(dice: Dice): Person {
  const first = dice.pick(FIRST);
  const last = dice.pick(LAST);
  const phones = [
    `+1 (${dice.digits(3)}) ${dice.digits(3)}-${dice.digits(4)}`,
    `${dice.digits(3)}-${dice.digits(3)}-${dice.digits(4)}`,
    `+44 20 ${dice.digits(4)} ${dice.digits(4)}`,
  ];

  return {
    first,
    last,
    mrn: `00${dice.digits(6)}`,
    dob: { y: dice.int(1930, 2015), m: dice.int(1, 12), d: dice.int(1, 28) },
    ssn: `${dice.digits(3)}-${dice.digits(2)}-${dice.digits(4)}`,
    phone: dice.pick(phones),
    email: `${first.toLowerCase()}.${last.toLowerCase()}${dice.int(1, 99)}@mail.example.com`,
    street: `${dice.int(1, 9999)} ${dice.pick(STREETS)}`,
    city: dice.pick(CITIES),
    account: `A${dice.digits(7)}`,
    policy: `XK${dice.digits(8)}`,
  };
}

function dobText(dice: Dice, { y, m, d }: Person['dob']): string {
  switch (dice.int(0, 3)) {
    case 0:
      return `${y}-${pad(m)}-${pad(d)}`;
    case 1:
      return `${pad(m)}/${pad(d)}/${y}`;
    case 2:
      return `${d}.${m}.${y}`;
    default:
      return `${pad(d)}-${MONTHS[m - 1] ?? 'Dec'}-${y}`;
  }
}

function timestamp(dice: Dice): string {
  const [m, d, h, min, s, ms] = [
    dice.int(1, 12),
    dice.int(1, 28),
    dice.int(0, 23),
    dice.int(0, 59),
    dice.int(0, 59),
    dice.int(0, 999),
  ];
  switch (dice.int(0, 3)) {
    case 0:
      return `2025-${pad(m)}-${pad(d)}T${pad(h)}:${pad(min)}:${pad(s)}.${String(ms).padStart(3, '0')}Z`;
    case 1:
      return `${MONTHS[m - 1] ?? 'Dec'} ${String(d).padStart(2, ' ')} ${pad(h)}:${pad(min)}:${pad(s)}`;
    case 2:
      return `${pad(m)}/${pad(d)}/2025 ${pad(h)}:${pad(min)}:${pad(s)}`;
    default:
      return `[2025-${pad(m)}-${pad(d)} ${pad(h)}:${pad(min)}:${pad(s)},${String(ms).padStart(3, '0')}]`;
  }
}

function privateIp(dice: Dice): string {
  switch (dice.int(0, 4)) {
    case 0:
      return `10.${dice.int(0, 255)}.${dice.int(0, 255)}.${dice.int(1, 254)}`;
    case 1:
      return `172.${dice.int(16, 31)}.${dice.int(0, 255)}.${dice.int(1, 254)}`;
    case 2:
      return `192.168.${dice.int(0, 255)}.${dice.int(1, 254)}`;
    case 3:
      return `fe80::${dice.int(4096, 65535).toString(16)}:${dice.int(4096, 65535).toString(16)}`;
    default:
      return `fd12:3456::${dice.int(4096, 65535).toString(16)}`;
  }
}

/** Builds `ID|f1|f2…` with the given fields at their HL7 positions. */
function segment(id: string, fields: Record<number, string>): string {
  const last = Math.max(0, ...Object.keys(fields).map(Number));
  const values = Array.from({ length: last }, (_, i) => fields[i + 1] ?? '');
  return [id, ...values].join('|');
}

type Maker = (dice: Dice) => CorpusLine;

/** Plain service lines with no identity in them: most of a real device log. */
const serviceLine: Maker = (dice) => {
  const sim = dice.pick(DEMO_FACILITY_DEVICES);
  const { model, serial, firmware } = sim.device;
  const ts = timestamp(dice);
  const code = dice.pick(CODES);
  const sys = dice.int(95, 160);
  const dia = dice.int(55, 100);
  const spo2 = dice.int(88, 100);
  const variants: CorpusLine[] = [
    {
      text: `${ts} ${model} SN ${serial} fw ${firmware} Self-test passed (POST ${dice.int(200, 900)} ms)`,
      planted: [],
      facts: [ts, model, serial, firmware],
    },
    {
      text: `${ts} ERROR ${code} Overpressure detected, cuff deflated (cuff max ${dice.int(250, 320)} mmHg)`,
      planted: [],
      facts: [ts, code, 'mmHg'],
    },
    {
      text: `${ts} INFO NIBP ${sys}/${dia} mmHg, SpO2 ${spo2} %, pulse ${dice.int(50, 120)} bpm, cycle #${dice.int(1, 99999)}`,
      planted: [],
      facts: [ts, `${sys}/${dia} mmHg`, `SpO2 ${spo2} %`],
    },
    {
      text: `${ts} NOTICE Module NIBP-3 firmware ${firmware} on ${model} serial ${serial}, battery ${dice.int(5, 100)} %`,
      planted: [],
      facts: [ts, firmware, model, `serial ${serial}`],
    },
  ];
  return dice.pick([...variants, dice.pick(vocabularyLines(dice, ts, sim.device))]);
};

const deviceOf = (dice: Dice) => dice.pick(DEMO_FACILITY_DEVICES).device;

function plantedPerson(dice: Dice): PlantedPerson {
  const p = person(dice);
  return { ...p, dob: dobText(dice, p.dob) };
}

const uncued: Maker = (dice) => uncuedNameLine(dice, timestamp(dice), deviceOf(dice));
const address: Maker = (dice) => addressLine(dice, timestamp(dice), deviceOf(dice));
const structured: Maker = (dice) =>
  structuredLine(dice, timestamp(dice), deviceOf(dice), plantedPerson(dice));

const freeTextLine: Maker = (dice) => {
  const p = person(dice);
  const { model, serial } = dice.pick(DEMO_FACILITY_DEVICES).device;
  const ts = timestamp(dice);
  const dob = dobText(dice, p.dob);
  const code = dice.pick(CODES);
  const ip = privateIp(dice);
  const host = `${dice.pick(['pacs', 'emr', 'gw'])}${dice.int(1, 9)}.ward3.${dice.pick(HOST_SUFFIXES)}`;
  const sys = dice.int(95, 160);
  const dia = dice.int(55, 100);
  const name = `${p.first} ${p.last}`;
  const variants: CorpusLine[] = [
    {
      text: `${ts} INFO ${model} measurement stored for patient ${name}: NIBP ${sys}/${dia} mmHg`,
      planted: [name, p.last],
      facts: [ts, model, `${sys}/${dia} mmHg`],
    },
    {
      text: `${ts} INFO Patient context set: name=${p.last}^${p.first} mrn=${p.mrn} dob=${dob}`,
      planted: [p.last, p.first, p.mrn, dob],
      facts: [ts],
    },
    {
      text: `${ts} ERROR ${code} print failed for pt ${p.last}, ${p.first} (MRN ${p.mrn}, DOB ${dob}) on SN ${serial}`,
      planted: [p.last, p.first, p.mrn, dob],
      facts: [ts, code, `SN ${serial}`],
    },
    {
      text: `${ts} WARN W-NET-0107 uplink to ${ip} via ${host} failed; callback phone ${p.phone}, email ${p.email}`,
      planted: [ip, host, p.phone, p.email],
      facts: [ts, 'W-NET-0107'],
    },
    {
      text: `${ts} NOTICE home visit for patient: ${name}; address: ${p.street}, ${p.city}; SSN ${p.ssn}`,
      planted: [name, p.street, p.ssn],
      facts: [ts],
    },
    {
      text: `${ts} INFO billing sync account ${p.account} insurance id: ${p.policy} born ${dob} (${model})`,
      planted: [p.account, p.policy, dob],
      facts: [ts, model],
    },
  ];
  return dice.pick(variants);
};

const hl7Line: Maker = (dice) => {
  const p = person(dice);
  const kin = person(dice);
  const { model, serial } = dice.pick(DEMO_FACILITY_DEVICES).device;
  const ts = timestamp(dice);
  const when = `2025${pad(dice.int(1, 12))}${pad(dice.int(1, 28))}${pad(dice.int(0, 23))}${pad(dice.int(0, 59))}`;
  const dob = `${p.dob.y}${pad(p.dob.m)}${pad(p.dob.d)}`;
  const phoneDigits = p.phone.replace(/\D/g, '');
  const header = (type: string): string =>
    `MSH|^~\\&|${model.replace(' ', '')}|WARD3|EMR|HOSP|${when}||${type}|MSG${dice.digits(6)}|P|2.5`;
  const pid = segment('PID', {
    1: '1',
    3: `${p.mrn}^^^HOSP^MR`,
    5: `${p.last.toUpperCase()}^${p.first.toUpperCase()}^Q`,
    7: dob,
    8: 'F',
    11: `${p.street}^^${p.city}^IL^62704`,
    13: phoneDigits,
    18: p.account,
    19: p.ssn,
  });
  const planted = [p.mrn, p.last.toUpperCase(), p.first.toUpperCase(), dob, p.street, phoneDigits];
  const segments: string[] = [];
  const facts = [ts, model.replace(' ', ''), when];

  if (dice.int(0, 1) === 0) {
    const visit = `V${dice.digits(7)}`;
    segments.push(
      header('ADT^A01'),
      `EVN|A01|${when}`,
      pid,
      segment('NK1', {
        1: '1',
        2: `${kin.last.toUpperCase()}^${kin.first.toUpperCase()}`,
        3: 'SPO',
        4: `${kin.street}^^${kin.city}`,
        5: kin.phone,
      }),
      segment('PV1', { 1: '1', 2: 'I', 3: 'W3^12^A', 19: visit }),
      segment('GT1', { 1: '1', 3: `${p.last.toUpperCase()}^${p.first.toUpperCase()}`, 12: p.ssn }),
      segment('IN1', {
        1: '1',
        2: 'BC01',
        4: 'Blue Cross',
        16: `${p.last}^${p.first}`,
        36: p.policy,
      }),
    );
    planted.push(p.account, p.ssn, kin.last.toUpperCase(), kin.street, kin.phone, visit, p.policy);
  } else {
    const [loinc, label] = dice.pick(LOINC);
    const value = String(dice.int(36, 180));
    segments.push(
      header('ORU^R01'),
      pid,
      segment('OBR', { 1: '1', 3: `ORD${dice.digits(6)}`, 4: '85354-9^Blood pressure panel^LN' }),
      segment('OBX', {
        1: '1',
        2: 'NM',
        3: `${loinc}^${label}^LN`,
        5: value,
        6: 'mm[Hg]',
        11: 'F',
      }),
      segment('OBX', { 1: '2', 2: 'ST', 3: '8867-4^Heart rate^LN', 5: `${serial}`, 11: 'F' }),
    );
    facts.push(loinc, '85354-9', '8867-4', `|${value}|mm[Hg]`, serial);
  }

  // Interface engines log the CR segment breaks either raw or escaped.
  const join = dice.int(0, 1) === 0 ? '\\r' : '\r';
  return { text: `${ts} HL7 rx ${segments.join(join)}`, planted, facts };
};

/**
 * `count` lines, mostly plain service lines, with free-text, uncued-name, address,
 * structured and HL7 lines mixed in, and now and then a delimited export (a header and
 * its rows, from a source of its own).
 */
export function generateCorpus(count: number, seed = 1): CorpusLine[] {
  const dice = new Dice(seed);
  const lines: CorpusLine[] = [];
  let exports = 0;
  while (lines.length < count) {
    const roll = dice.int(0, 39);
    if (roll === 0) {
      const source = `file:export-${seed}-${exports++}.csv`;
      lines.push(...exportLines(dice, source, () => plantedPerson(dice)));
      continue;
    }
    // Six in ten service lines, two free text, one HL7 (the mix of a busy device log),
    // and one in forty each for the newer kinds.
    const make =
      roll < 24
        ? serviceLine
        : roll < 32
          ? freeTextLine
          : roll < 36
            ? hl7Line
            : roll < 37
              ? uncued
              : roll < 38
                ? address
                : structured;
    lines.push(make(dice));
  }

  return lines.slice(0, count);
}
