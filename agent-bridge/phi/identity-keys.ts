import type { PhiTag } from './tags.ts';

/**
 * Keys and column headers that name a person's identity, written without case, spaces,
 * dashes or underscores: `patient_name`, `PatientName` and `Patient Name` are all
 * `patientname`. A value under one of these is masked whatever it looks like.
 */
const EXACT: ReadonlyMap<string, PhiTag> = new Map(
  Object.entries({
    NAME: [
      'name',
      'patient',
      'patientname',
      'patname',
      'ptname',
      'fullname',
      'firstname',
      'lastname',
      'given',
      'givenname',
      'givennames',
      'family',
      'familyname',
      'surname',
      'forename',
      'forenames',
      'middlename',
      'maidenname',
      'mothersmaidenname',
      'preferredname',
      'guarantor',
      'nextofkin',
      'nok',
      'emergencycontact',
      'contactname',
      'guardian',
      'caregiver',
      'spouse',
      'insured',
      'insuredname',
      'subscribername',
    ],
    DOB: ['dob', 'dateofbirth', 'birthdate', 'birthday', 'born', 'birthdt'],
    MRN: ['mrn', 'medicalrecordnumber', 'medicalrecord', 'recordnumber', 'chartnumber'],
    ID: [
      'patientid',
      'patientnumber',
      'hospitalnumber',
      'pid',
      'visitid',
      'visitnumber',
      'encounterid',
      'encounter',
      'admissionid',
      'admissionnumber',
    ],
    SSN: [
      'ssn',
      'socialsecuritynumber',
      'socialsecurity',
      'nationalid',
      'nhsnumber',
      'nhsno',
      'sin',
      'bsn',
      'personnummer',
      'passport',
      'passportnumber',
    ],
    PHONE: [
      'phone',
      'phonenumber',
      'telephone',
      'tel',
      'mobile',
      'cell',
      'cellphone',
      'fax',
      'contactnumber',
      'telecom',
    ],
    EMAIL: ['email', 'emailaddress', 'mail'],
    ADDRESS: [
      'address',
      'homeaddress',
      'streetaddress',
      'street',
      'addressline',
      'addressline1',
      'addressline2',
      'city',
      'town',
      'zip',
      'zipcode',
      'postcode',
      'postalcode',
      'residence',
    ],
    ACCOUNT: ['account', 'accountnumber', 'accountno', 'acct', 'acctno', 'billingaccount'],
    INSURANCE: [
      'insurance',
      'insuranceid',
      'insurancenumber',
      'policynumber',
      'memberid',
      'membernumber',
      'subscriberid',
      'groupnumber',
    ],
  }).flatMap(([tag, keys]) => keys.map((key) => [key, tag as PhiTag] as const)),
);

/** Prefixes that make a "…name" key a person's: `motherName`, `kinFullName`. */
const PERSON_NAME_PREFIX =
  /^(?:patient|pat|pt|first|last|given|family|middle|maiden|full|guarantor|kin|nextofkin|contact|guardian|insured|subscriber|mother|father|spouse|parent|relative)/;

/** "…address" keys that hold a network or memory address, not where someone lives. */
const MACHINE_ADDRESS =
  /(?:ip|mac|host|server|device|network|gateway|broadcast|ether|bluetooth|bt|memory|mem|register|reg|base|start|end|bus|node|slave|remote|local|peer|bind|listen|proxy|dns|router)address/;

/** Lower case, letters and digits only: how keys are compared. */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * The tag for values under `key`, or null when the key names no identity. Exact names
 * first, then the shapes that vary by site (`patientFirstName`, `homePhone`).
 */
export function identityTag(key: string): PhiTag | null {
  const k = normaliseKey(key);
  if (k.length === 0 || k.length > 40) return null;

  const exact = EXACT.get(k);
  if (exact) return exact;
  if (k.endsWith('name') && PERSON_NAME_PREFIX.test(k)) return 'NAME';
  if (k.includes('birth')) return 'DOB';
  if (k.includes('email')) return 'EMAIL';
  if (k.includes('phone') || k.includes('mobile')) return 'PHONE';
  if (k.includes('address') && !MACHINE_ADDRESS.test(k)) return 'ADDRESS';
  if (k.startsWith('patient') && (k.endsWith('id') || k.endsWith('number'))) return 'ID';

  return null;
}

/** Keys whose object holds one person: below them, `id` and `value` identify too. */
export function namesPerson(key: string): boolean {
  return /^(?:patient|pt|person|subject|guarantor|nextofkin|kin|contact|guardian|insured|subscriber|spouse|mother|father)$/.test(
    normaliseKey(key),
  );
}
