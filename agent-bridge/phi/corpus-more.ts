/**
 * The corpus's newer line kinds: names without a cue, addresses outside the US, JSON and
 * key=value lines, delimited exports, and service lines full of capitalised vocabulary
 * that must not be taken for names. Kept apart from `corpus.ts` so each file has one job;
 * the caller hands in its dice, timestamps and device.
 */

/** A generated line, as `CorpusLine` in `corpus.ts`. */
export interface PlantedLine {
  text: string;
  planted: string[];
  facts: string[];
  source?: string;
}

/** What these generators need from the corpus's dice. */
export interface Roll {
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  digits(count: number): string;
}

/** The service facts of the device a line is about. */
export interface DeviceFacts {
  model: string;
  serial: string;
  firmware: string;
}

/** Given names from several languages; every one is on the built-in list. */
const GIVEN = [
  'John',
  'Maria',
  'Jürgen',
  'Siobhan',
  'Łukasz',
  'Priya',
  'Wei',
  'Fatima',
  'Kwame',
  'Ingrid',
  'Giulia',
  'Pieter',
  'Yusuf',
  'Chloé',
  'Mary-Ann',
  'Oleksandr',
];
const SURNAMES = [
  'Smith',
  'Gonzalez-Ruiz',
  "O'Brien",
  'McDonald',
  'van der Berg',
  'de la Cruz',
  'Müller',
  'Nowak',
  'al-Haddad',
  'Rossi',
  'Dubois',
  'Kowalczyk',
  'Okonkwo',
  'Nakamura',
];

export function uncuedNameLine(roll: Roll, ts: string, device: DeviceFacts): PlantedLine {
  const first = roll.pick(GIVEN);
  const last = roll.pick(SURNAMES);
  const name = `${first} ${last}`;
  const { model, serial, firmware } = device;
  const variants: PlantedLine[] = [
    {
      text: `${ts} NOTE ${name} called about the ${model} (SN ${serial}), pump alarm E-1043`,
      planted: [name, last],
      facts: [ts, model, `SN ${serial}`, 'E-1043'],
    },
    {
      text: `${ts} INFO service visit: ${model} fw ${firmware} seen by ${name} in W3-12`,
      planted: [name, last],
      facts: [ts, model, `fw ${firmware}`, 'W3-12'],
    },
    {
      text: `${ts} WARN ${last}, ${first} asked for a loaner ${model}; NIBP 120/80 mmHg`,
      planted: [`${last}, ${first}`, last, first],
      facts: [ts, model, 'NIBP 120/80 mmHg'],
    },
    {
      text: `${ts} INFO Alarm acknowledged by ${name.toUpperCase()} on ${model} serial ${serial}`,
      planted: [name.toUpperCase()],
      facts: [ts, model, `serial ${serial}`],
    },
  ];

  return roll.pick(variants);
}

export function addressLine(roll: Roll, ts: string, device: DeviceFacts): PlantedLine {
  const n = String(roll.int(1, 240));
  const addresses: Array<[string, string[]]> = [
    [`${n} Baker Street, London NW1 6XE`, ['Baker Street', 'NW1 6XE']],
    [`Hauptstraße ${n}, 10115 Berlin`, ['Hauptstraße', '10115', 'Berlin']],
    [`Bahnhofstr. ${n}, CH-8001 Zürich`, ['Bahnhofstr', '8001', 'Zürich']],
    [`${n} rue de la Paix, 75002 Paris`, ['rue de la Paix', '75002']],
    [`Kerkstraat ${n}, 1012 AB Amsterdam`, ['Kerkstraat', '1012 AB']],
    [`Via Roma ${n}, 00184 Roma`, ['Via Roma', '00184']],
    [`ul. Marszałkowska ${n}, 00-590 Warszawa`, ['Marszałkowska', '00-590']],
    [`Storgatan ${n}, 114 55 Stockholm`, ['Storgatan', '114 55']],
    [`${n} King Street, Toronto, ON M5V 3L9`, ['King Street', 'M5V 3L9']],
    [`${n} George Street, Sydney NSW 2000`, ['George Street', 'NSW 2000']],
  ];
  const [address, planted] = roll.pick(addresses);
  const lot = `LOT 2024-${roll.digits(3)}`;
  const { model, serial } = device;
  const variants: PlantedLine[] = [
    {
      text: `${ts} INFO loaner ${model} shipped to ${address} (firmware 2.1.3, PN 4200-12, ${lot})`,
      planted,
      facts: [ts, model, 'firmware 2.1.3', 'PN 4200-12', lot],
    },
    {
      text: `${ts} ERROR E-1043 courier could not deliver to ${address}; ref SN ${serial}`,
      planted,
      facts: [ts, 'E-1043', `SN ${serial}`],
    },
  ];

  return roll.pick(variants);
}

/** What `structuredLine` needs to know about the person it plants. */
export interface PlantedPerson {
  first: string;
  last: string;
  mrn: string;
  dob: string;
  street: string;
  city: string;
  phone: string;
  account: string;
}

export function structuredLine(
  roll: Roll,
  ts: string,
  device: DeviceFacts,
  p: PlantedPerson,
): PlantedLine {
  const { model, serial, firmware } = device;
  const reading = `${roll.int(95, 160)}/${roll.int(55, 100)} mmHg`;
  const zip = roll.digits(5);
  const json = JSON.stringify({
    ts,
    event: 'measurement',
    device: { name: model, serial, firmware },
    patient: {
      patientName: `${p.first} ${p.last}`,
      mrn: p.mrn,
      dob: p.dob,
      address: { street: p.street, city: p.city },
      phone: p.phone,
      id: p.account,
      weight: '70 kg',
    },
    nibp: reading,
  });
  const variants: PlantedLine[] = [
    {
      text: json,
      planted: [p.first, p.last, p.mrn, p.dob, p.street, p.phone, p.account],
      facts: [ts, `"name":"${model}"`, serial, firmware, reading, '70 kg'],
    },
    {
      text: `${ts} INFO export first_name=${p.first} surname=${p.last} dob=${p.dob} zip=${zip} serial=${serial} fw=${firmware}`,
      planted: [p.first, p.last, p.dob, zip],
      facts: [ts, `serial=${serial}`, `fw=${firmware}`],
    },
  ];

  return roll.pick(variants);
}

const DELIMITERS = [',', '\t', ';', '|'];

/** A delimited export of patients from its own file: a header row, then four to eight rows. */
export function exportLines(
  roll: Roll,
  source: string,
  people: () => PlantedPerson,
): PlantedLine[] {
  const d = roll.pick(DELIMITERS);
  const header = ['PatientName', 'MRN', 'DOB', 'Room', 'Result'].join(d);
  const lines: PlantedLine[] = [{ text: header, planted: [], facts: [header], source }];
  const rows = roll.int(4, 8);
  for (let i = 0; i < rows; i++) {
    const p = people();
    const name = d === ',' ? `"${p.last}, ${p.first}"` : `${p.first} ${p.last}`;
    const room = `W${roll.int(1, 9)}-${roll.int(1, 40)}`;
    const result = `NIBP ${roll.int(95, 160)}/${roll.int(55, 100)} mmHg`;
    const fields = [name, p.mrn, p.dob, room, result];
    // Now and then a row with a stray delimiter: it cannot be lined up, so it goes whole.
    const broken = roll.int(0, 9) === 0;
    if (broken) fields.push('late entry');
    lines.push({
      text: fields.join(d),
      planted: [p.first, p.last, p.mrn, p.dob],
      facts: broken ? [] : [room, result],
      source,
    });
  }

  return lines;
}

/**
 * Service lines whose capitalised words look like names to a naive rule: manufacturers,
 * models, modules, status words after a given name ("Max Pressure", "Grace Period").
 */
export function vocabularyLines(roll: Roll, ts: string, device: DeviceFacts): PlantedLine[] {
  const { model, serial, firmware } = device;
  const lines = [
    `${ts} INFO Welch Allyn Connex Spot Monitor ${model} SN ${serial} fw ${firmware} ready`,
    `${ts} NOTICE Spot Vision Screener paired; Max Pressure ${roll.int(250, 300)} mmHg set`,
    `${ts} WARN Grace Period for licence ends Monday; Mark Complete after Self Test`,
    `${ts} INFO Auto Zero done, Victor Monitor Mode On, June Update 2.1.3 installed`,
    `${ts} ERROR E-1043 Pump Door Open on Alaris Infusion Module, part PN 4200-12, LOT 2024-113`,
    `${ts} INFO Nihon Kohden Life Scope, Philips IntelliVue MX40, GE Carescape B650 linked`,
  ];

  return lines.map((text) => ({ text, planted: [], facts: [text] }));
}
