import { placeholder, type Removals } from './tags.ts';
import { GIVEN_NAMES, KEPT_WORDS } from './word-lists.ts';

// Letters of the Latin scripts names are written in here: ASCII, Latin-1 and Latin
// Extended-A (Polish, Czech, Hungarian, Turkish, Baltic letters).
const UPPER = 'A-ZÀ-ÖØ-Þ\\u0100-\\u017f';
const LETTER = 'A-Za-zÀ-ÖØ-öø-ÿ\\u0100-\\u017f';
// Whole words only: one that runs on into digits ("SPO2", "Anna3") is a code, not a name.
const WORD = `[${UPPER}][${LETTER}'’]*(?:-[${UPPER}][${LETTER}'’]*)*(?![\\d_${LETTER}'’])`;

/** Lower-case words that sit between a given name and a surname: "van der", "de la". */
const PARTICLES = [
  'van',
  'von',
  'der',
  'den',
  'de',
  'del',
  'della',
  'dei',
  'di',
  'da',
  'das',
  'do',
  'dos',
  'du',
  'la',
  'le',
  'ten',
  'ter',
  'bin',
  'ibn',
  'bint',
  'al',
  'el',
  'zu',
  'y',
];
const PARTICLE = `(?:${[
  ...PARTICLES,
  ...PARTICLES.map(capitalise),
  ...PARTICLES.map((p) => p.toUpperCase()),
].join('|')})`;

/**
 * A capitalised word that may begin a name: one more capitalised word or a particle
 * follows, or it comes after "Word, " (the "Surname, Given" order). The given-name list
 * decides the rest, with one Set lookup per candidate. The pattern starts with the
 * capital letter and looks behind only from there, so lower-case text is skipped fast.
 */
const CANDIDATE = new RegExp(
  `[${UPPER}](?<![${LETTER}'’\\w-].)[${LETTER}'’]*(?:-[${UPPER}][${LETTER}'’]*)*` +
    `(?![\\d_${LETTER}'’])(?:(?<=,[ \\t][${LETTER}'’-]+)|(?=[ \\t]{1,2}(?:[${UPPER}]|${PARTICLE}[ \\t'’-])))`,
  'g',
);

/** After a given name: spaces, particles, then one name word or an initial, anchored. */
const NEXT_TOKEN = new RegExp(
  `[ \\t]{1,2}((?:${PARTICLE}(?:[ \\t]|(?=[-'’])))*)-?([${UPPER}]\\.|${WORD})`,
  'y',
);

/** "Surname, " just before a given name, with its particles: "van der Berg, ". */
const SURNAME_BEFORE = new RegExp(
  `(?<![${LETTER}'’\\w-])((?:${PARTICLE}(?:[ \\t]|-(?=[${UPPER}])))*(${WORD})),[ \\t]$`,
);

/** Most words after the given name: middle names or initials, then the surname. */
const MAX_FOLLOWING = 4;

/**
 * Masks people's names that no label or cue announces: a given name from the built-in
 * list followed by a capitalised surname ("John Smith called", "seen by Maria
 * Gonzalez-Ruiz", "Anna van der Berg", "Liam O'Brien"), and "Smith, John". A word on the
 * kept list (manufacturers, models, modules, units, status words) is never a surname, so
 * "Max Pressure" and "Grace Period" stay. A given name alone, with nothing capitalised
 * after it, stays too: it says little on its own and is often an ordinary word.
 */
export function maskUncuedNames(text: string, removals: Removals): string {
  let out = '';
  let copied = 0;
  CANDIDATE.lastIndex = 0;

  for (let match = CANDIDATE.exec(text); match; match = CANDIDATE.exec(text)) {
    const given = match[0];
    if (!isGivenName(given)) continue;

    const start = match.index;
    let end = nameEnd(text, start + given.length, given);
    // "Karl Storz", "Grace Period": the given name is part of a product or service phrase.
    if (end === BEFORE_KEPT_WORD) continue;
    let from = start;
    const before = start >= copied ? surnameBefore(text, start, copied) : -1;
    if (before >= 0) {
      from = before;
      end = Math.max(end, start + given.length);
    }
    if (end <= start) continue;

    out += text.slice(copied, from) + placeholder('NAME');
    copied = end;
    removals.count++;
    CANDIDATE.lastIndex = end;
  }

  return copied === 0 ? text : out + text.slice(copied);
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function isGivenName(word: string): boolean {
  const lower = word.toLowerCase();
  if (GIVEN_NAMES.has(lower)) return true;
  // "Jean-Luc", "Mary-Ann": a double name whose first part is known.
  const dash = lower.indexOf('-');

  return dash > 0 && GIVEN_NAMES.has(lower.slice(0, dash));
}

function isUpperCase(word: string): boolean {
  return word === word.toUpperCase() && word !== word.toLowerCase();
}

/** What `nameEnd` returns when a kept word follows the given name right away. */
const BEFORE_KEPT_WORD = -2;

/**
 * Where the name that starts with `given` ends: after the last surname-like word within
 * reach, -1 when no word after it can be a surname, or BEFORE_KEPT_WORD. Middle names and
 * initials may sit between. An all-capitals given name needs an all-capitals surname and
 * the other way round, so "MAX NIBP" and "Anna ECG" stay.
 */
function nameEnd(text: string, from: number, given: string): number {
  const shouting = isUpperCase(given);
  let at = from;
  let end = -1;

  for (let n = 0; n < MAX_FOLLOWING; n++) {
    NEXT_TOKEN.lastIndex = at;
    const token = NEXT_TOKEN.exec(text);
    const word = token?.[2];
    if (!token || !word) break;
    if (word.endsWith('.')) {
      at = NEXT_TOKEN.lastIndex;
      continue;
    }
    if (KEPT_WORDS.has(word.toLowerCase())) return n === 0 ? BEFORE_KEPT_WORD : end;
    if (word.length < 2) break;
    if (isUpperCase(word) !== shouting) break;
    at = NEXT_TOKEN.lastIndex;
    end = at;
    if (!isGivenName(word)) break;
  }

  return end;
}

/** Start of "Surname, " right before `at`, or -1. Nothing before `floor` is looked at. */
function surnameBefore(text: string, at: number, floor: number): number {
  const window = text.slice(Math.max(floor, at - 60), at);
  const match = SURNAME_BEFORE.exec(window);
  const surname = match?.[2];
  if (!match || !surname || surname.length < 2) return -1;
  if (KEPT_WORDS.has(surname.toLowerCase())) return -1;

  return at - window.length + match.index;
}
