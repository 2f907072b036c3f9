/**
 * Building blocks for the free-text rules. The rules run in one case-sensitive pass
 * (names are told apart by their capitals), so labels that may come in any case are
 * spelt out per letter with `anyCase`.
 */

/**
 * `dob` → `[dD][oO][bB]`; other characters are taken as written, so regex syntax may be
 * used as long as it has no lower-case letters of its own (no `\\s`, no `[a-z]`).
 */
export function anyCase(word: string): string {
  return word.replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
}

/** Escapes text for use inside a regular expression. */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Words that start a new labelled field: a name never runs on into them. */
const FIELD_WORDS = [
  'DOB',
  'MRN',
  'SSN',
  'Born',
  'Phone',
  'Tel',
  'Email',
  'Address',
  'Acct',
  'Account',
  'Room',
  'Bed',
  'Ward',
  'Age',
  'Sex',
  'Insurance',
  'Policy',
  'Serial',
  'SN',
  'Model',
  'Firmware',
  'Device',
  'Module',
  'Error',
  'Code',
  'Visit',
  'Patient',
  'ID',
];
const NOT_FIELD_WORD = `(?!(?:${FIELD_WORDS.join('|')})\\b)`;

/** One name word: "Smith", "O'Neil", "Jean-Luc", or the all-caps "SMITH". */
const NAME_WORD = `[A-Z][A-Za-z'’-]*[a-zA-Z]`;

/**
 * A person's name as written after a label or cue: "John Smith", "Smith, John A.",
 * "SMITH^JOHN^Q" (HL7 style), up to four words.
 */
export const NAME_VALUE =
  `${NOT_FIELD_WORD}${NAME_WORD}(?:\\^[A-Za-z'’-]*)*` +
  `(?:(?:,\\s?|\\s)${NOT_FIELD_WORD}(?:${NAME_WORD}|[A-Z]\\.?)){0,3}`;

/** Words that follow "patient" in device logs without being a name. */
const NOT_A_NAME_AFTER_CUE = `(?!(?:${[
  'Monitor',
  'Monitoring',
  'Mode',
  'Data',
  'Record',
  'Records',
  'List',
  'Type',
  'Side',
  'Cable',
  'Context',
  'Alarm',
  'Alarms',
  'Size',
  'Category',
  'Safety',
  'Module',
  'Admitted',
  'Discharged',
  'Transferred',
  'Selected',
  'Cleared',
  'Changed',
  'Connected',
  'Disconnected',
  'ID',
  'Name',
].join('|')})\\b)`;

/** A free-text name after a cue: "patient John Smith", "for patient SMITH^JOHN", "pt Doe". */
export const CUE_NAME = `${NOT_A_NAME_AFTER_CUE}${NAME_VALUE}`;

const MONTHS = `${anyCase('(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)')}[a-zA-Z]*`;

/** Dates of birth as written: 1984-03-07, 03/07/1984, 7.3.1984, 07-Mar-1984, 19840307. */
export const DATE_VALUE =
  `(?:\\d{4}-\\d{1,2}-\\d{1,2}|\\d{1,2}[/.-]\\d{1,2}[/.-]\\d{2,4}|` +
  `\\d{1,2}[ -]?${MONTHS}[ -]?\\d{2,4}|${MONTHS} \\d{1,2},? \\d{4}|(?:19|20)\\d{6})`;

/**
 * A value after `key=` or `key:`: quoted, or one token up to a delimiter. A tag left by
 * an earlier step ("mrn=[MRN]") is not a value, so it is not counted twice.
 */
export const TOKEN_VALUE = `(?!\\[[A-Z]+\\])(?:"[^"]{0,200}"|'[^']{0,200}'|[^\\s,;|&"']+)`;

/** An identifier that needs its label to be recognised: has a digit, e.g. 00482913, A-77120. */
export const ID_VALUE = `(?=[A-Za-z-]*\\d)[A-Za-z0-9][A-Za-z0-9-]{1,30}`;

/** +1 (555) 123-4567, 555-123-4567, +44 20 7946 0958, 555.123.4567. */
export const PHONE = `(?<![\\w.+-])(?:\\+\\d{1,3}[ .-]?)?(?:\\(\\d{2,4}\\)|\\d{2,4})[ .-]?\\d{3,4}[ .-]\\d{3,4}(?![\\w.-]*\\d)`;

/** The kinds of street an English-language address line ends its street with. */
export const STREET_SUFFIX = `(?:${[
  'Street',
  'St',
  'Avenue',
  'Ave',
  'Road',
  'Rd',
  'Boulevard',
  'Blvd',
  'Lane',
  'Ln',
  'Drive',
  'Dr',
  'Court',
  'Ct',
  'Way',
  'Place',
  'Pl',
  'Terrace',
  'Parkway',
  'Pkwy',
  'Circle',
  'Cir',
  'Highway',
  'Hwy',
  'Square',
  'Sq',
  'Close',
  'Crescent',
  'Gardens',
  'Grove',
  'Mews',
  'Walk',
  'Hill',
  'Rise',
  'Vale',
  'Wharf',
  'Quay',
  'Parade',
  'Esplanade',
].join('|')})`;

/**
 * What ends an English-language address line: a US state and ZIP ("IL 62704"), a UK
 * postcode ("NW1 6XE"), a Canadian province and postal code ("ON M5V 3L9"), an
 * Australian state and postcode ("NSW 2000").
 */
const REGION_AND_CODE =
  `(?:[A-Z]{2,3}\\s)?(?:\\d{5}(?:-\\d{4})?|[A-Z]{1,2}\\d[A-Z\\d]?\\s\\d[A-Z]{2}|` +
  `[A-Z]\\d[A-Z]\\s\\d[A-Z]\\d|\\d{4})(?![\\w-])`;

/**
 * A postal address: house number, one to three capitalised street words and a suffix,
 * then an optional unit, town and region with its code ("12 Oak Street, Apt 4,
 * Springfield, IL 62704", "221B Baker Street, London NW1 6XE").
 */
export const ADDRESS =
  `\\b\\d{1,5}[A-Za-z]?\\s+(?:[A-Z][a-z]+\\s+){1,3}${STREET_SUFFIX}\\b\\.?` +
  `(?:,?\\s(?:Apt|Suite|Unit|Flat)\\.?\\s?[\\w-]+)?` +
  `(?:,\\s?[A-Z][a-z]+(?:\\s[A-Z][a-z]+)?)?(?:,?\\s${REGION_AND_CODE})?`;

/** RFC 1918 IPv4, IPv6 unique-local (fc00::/7) and link-local (fe80::/10) addresses. */
export const PRIVATE_IP =
  `(?<![\\w.])(?:10(?:\\.\\d{1,3}){3}|172\\.(?:1[6-9]|2\\d|3[01])(?:\\.\\d{1,3}){2}|` +
  `192\\.168(?:\\.\\d{1,3}){2})(?![\\w.]*\\d)|` +
  `(?<![\\w:])(?:[fF][cdCD][0-9a-fA-F]{2}|[fF][eE][89abAB][0-9a-fA-F]):[0-9a-fA-F:]*(?:%[\\w.]+)?`;

export const EMAIL = `(?<![\\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}`;

export const SSN = `(?<![\\w-])\\d{3}-\\d{2}-\\d{4}(?![\\w-])`;
