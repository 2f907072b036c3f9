import { anyCase, STREET_SUFFIX } from './patterns.ts';

/**
 * Postal addresses outside the US street form, as regular-expression sources for the
 * shared free-text pass. Each needs a shape device facts do not have: a street word with
 * a house number, a postcode in its national format next to a town, or a state and
 * postcode pair. Firmware versions (2.1.3), part and lot numbers (4200-12, 2024-113) and
 * error codes (E-1043) match none of them.
 */

const UPPER = 'A-ZÀ-ÖØ-Þ';
const LETTERS = 'A-Za-zÀ-ÖØ-öø-ÿ\\u0100-\\u017f';
const TOWN = `[${UPPER}][${LETTERS}'’]+(?:[ -][${UPPER}][${LETTERS}'’]+)?`;

/** A house number: 12, 12a, 12-14, 12/3, not the start of a version or a longer number. */
const HOUSE_NUMBER = `\\d{1,4}[a-zA-Z]?(?:[/-]\\d{1,4})?(?![\\w-]|\\.\\d)`;

/**
 * What may follow a street: ", 10115 Berlin", ", D-10115 Berlin", ", 1012 AB Amsterdam",
 * ", 00184 Roma", ", 114 55 Stockholm", ", 00-590 Warszawa".
 */
export const POSTAL_TAIL =
  `(?:,?[ \\t](?:[A-Z]{1,2}-)?(?:\\d{4,5}(?:[ \\t]?[A-Z]{2})?|\\d{3}[ \\t]\\d{2}|\\d{2}-\\d{3})` +
  `[ \\t]${TOWN})?`;

/** Street names with the kind of street written into the word: Hauptstraße, Kerkstraat. */
const STREET_WORD_ENDINGS = [
  'straße',
  'strasse',
  'str\\.',
  'weg',
  'gasse',
  'platz',
  'allee',
  'damm',
  'ufer',
  'chaussee',
  'steig',
  'pfad',
  'straat',
  'laan',
  'plein',
  'gracht',
  'kade',
  'singel',
  'dreef',
  'gatan',
  'gata',
  'vägen',
  'vagen',
  'vej',
  'gade',
  'veien',
  'vegen',
  'katu',
];

/** The kind of street as a word of its own: "Mariahilfer Straße 3", "Lange Gasse 12". */
const STREET_KIND_WORDS = [
  'Straße',
  'Strasse',
  'Gasse',
  'Platz',
  'Allee',
  'Weg',
  'Damm',
  'Ufer',
  'Gata',
];

/**
 * A cheap test for `EUROPEAN_STREET`: a street ending and a number. It starts at a space
 * before a digit and looks for the ending behind it: much faster than trying every
 * capitalised word as a street's start, and faster than searching for the endings.
 */
export const MAY_HOLD_EUROPEAN_STREET = new RegExp(
  `[ \\t]\\d(?<=(?:${[...STREET_WORD_ENDINGS, ...STREET_KIND_WORDS].join('|')})[ \\t]\\d)`,
);

/**
 * "Hauptstraße 12", "Bahnhofstr. 5, D-10115 Berlin", "Kerkstraat 12a, 1012 AB Amsterdam",
 * "Mariahilfer Straße 3/2, 1060 Wien".
 * The lookahead (letters, then a number) keeps the ending search off most words.
 */
export const EUROPEAN_STREET =
  `[${UPPER}](?<![${LETTERS}].)(?:(?=[${LETTERS}-]{2,40}\\.?[ \\t]\\d)` +
  `[${LETTERS}-]*?(?:${STREET_WORD_ENDINGS.join('|')})|` +
  `[${LETTERS}-]+[ \\t](?:${STREET_KIND_WORDS.join('|')}))[ \\t]${HOUSE_NUMBER}${POSTAL_TAIL}`;

/** Street kinds written before the name, with the number after it: "Via Roma 12". */
const STREET_BEFORE_NAME =
  '(?:Via|Viale|Piazza|Piazzale|Corso|Vicolo|Largo|Calle|Avenida|Avda\\.|Rua|Plaza|Paseo|' +
  'Carrer|Camino|Ronda|Travessa|Rue|Chemin|ul\\.|al\\.|Aleja)';
const LINKS = "(?:de la|de los|de las|del|della|delle|dei|degli|di|da|do|dos|das|de|du|des|l['’])";

/** "Via Roma 12", "Calle Mayor, 5", "ul. Marszałkowska 10, 00-590 Warszawa". */
export const STREET_NAME_THEN_NUMBER =
  `\\b${STREET_BEFORE_NAME}(?:[ \\t]${LINKS})?[ \\t]?[${UPPER}][${LETTERS}'’-]+` +
  `(?:[ \\t](?:${LINKS}[ \\t])?[${UPPER}][${LETTERS}'’-]+){0,3},?[ \\t](?:n[º°o]\\.?[ \\t]?)?` +
  `${HOUSE_NUMBER}${POSTAL_TAIL}`;

// French words only: "route", "place" and "square" also start English service phrases.
const FRENCH_STREET_KIND = anyCase(
  '(?:rue|avenue|boulevard|bd|chemin|allée|allee|impasse|quai|cours)',
);

/** "12 rue de la Paix, 75002 Paris", "3 bis, avenue Foch". */
export const FRENCH_STREET =
  `\\b\\d{1,4}(?:[ \\t]?(?:bis|ter))?,?[ \\t]${FRENCH_STREET_KIND}` +
  `(?:[ \\t]${LINKS})?[ \\t]?[${UPPER}][${LETTERS}'’-]+` +
  `(?:[ \\t](?:${LINKS}|et|sur|sous)?[ \\t]?[${UPPER}][${LETTERS}'’-]+){0,3}${POSTAL_TAIL}`;

/** UK postcodes as written, with their space: "SW1A 1AA", "M1 1AE", "EC1A 1BB". */
export const UK_POSTCODE = `\\b[A-Z]{1,2}\\d[A-Z\\d]?[ \\t]\\d[ABD-HJLNP-UW-Z]{2}(?![\\w-])`;

/** Canadian postal codes with their space: "K1A 0B1", "M5V 3L9". */
export const CANADIAN_POSTAL_CODE = `\\b[ABCEGHJ-NPRSTVXY]\\d[A-Z][ \\t]\\d[A-Z]\\d(?![\\w-])`;

/**
 * Dutch postcodes after a comma and before the town, where an address line puts them:
 * ", 1012 AB Amsterdam" (without the town, "2024 EU" would be one too).
 * The comma and space are matched but kept (`DUTCH_POSTCODE_LEAD`); a lookbehind here
 * would be tried at every position of every line.
 */
export const DUTCH_POSTCODE_LEAD = ',[ \\t]?';
export const DUTCH_POSTCODE = `\\d{4}[ \\t]?[A-Z]{2}[ \\t]${TOWN}`;

/**
 * Country-prefixed postcodes: "D-10115 Berlin", "CH-8001 Zürich". Only prefixes and
 * lengths that error codes do not use: "E-1043 Overpressure" and "A-1010 Alarm" are codes.
 */
export const PREFIXED_POSTCODE = `\\b(?:D-\\d{5}|(?:CH|NL|DK)-\\d{4}|FIN-\\d{5})[ \\t]${TOWN}`;

/**
 * Australian state and postcode: "NSW 2000". The suburb written before it stays: it
 * says little without the street, and matching it would slow every line.
 */
const AUSTRALIAN_STATE = '(?:NSW|VIC|QLD|TAS|ACT|WA|SA|NT)';
export const AUSTRALIAN_STATE_POSTCODE = `\\b${AUSTRALIAN_STATE}[ \\t]\\d{4}(?![\\w.-])`;

/**
 * A cheap test for the US street form and all patterns above but `EUROPEAN_STREET`: what
 * each of them cannot do without (a street suffix, an inward code " 6XE" or " 3L9", a
 * French or southern street word, a country prefix, a state and postcode, a Dutch
 * postcode after a comma), each at the start of a word. It passes a few lines in a
 * hundred of a device log, and costs a fraction of what the patterns would cost on every
 * line.
 */
export const MAY_HOLD_OTHER_ADDRESS = new RegExp(
  `[ \\t"'(,;:=/](?:\\d[A-Z]|${STREET_SUFFIX}\\b|${FRENCH_STREET_KIND}|${STREET_BEFORE_NAME}|${AUSTRALIAN_STATE}[ \\t]\\d)|` +
    `^(?:${STREET_BEFORE_NAME}|${AUSTRALIAN_STATE}[ \\t]\\d)|` +
    `\\b(?:D|CH|NL|DK|FIN)-\\d|${DUTCH_POSTCODE_LEAD}\\d{4}[ \\t]?[A-Z]{2}[ \\t]`,
);
