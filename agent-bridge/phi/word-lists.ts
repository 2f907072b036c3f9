import { readFileSync } from 'node:fs';

/** Reads a word list shipped beside this file: words split by white space, `#` comments. */
function readWordList(file: string): ReadonlySet<string> {
  const text = readFileSync(new URL(file, import.meta.url), 'utf8');
  const words = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    for (const word of line.split(/\s+/)) if (word) words.add(word.toLowerCase());
  }

  return words;
}

/**
 * Common given names from many languages, lower case. A word here followed by a
 * capitalised surname is taken for a person's name even without a cue before it.
 */
export const GIVEN_NAMES = readWordList('./given-names.txt');

/**
 * Service vocabulary, lower case: manufacturers, models, modules, units, status and error
 * words, weekdays and months. A word here is never taken for a surname.
 */
export const KEPT_WORDS = readWordList('./kept-words.txt');
