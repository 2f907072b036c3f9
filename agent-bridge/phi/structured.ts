import { identityTag, namesPerson, normaliseKey } from './identity-keys.ts';
import { placeholder, type PhiTag, type Removals } from './tags.ts';

/** Whether a line may hold quoted keys: a cheap test that keeps plain lines fast. */
export function mayHoldStructured(line: string): boolean {
  return line.includes('":') || line.includes('" :') || line.includes("':");
}

/** Keys under which a plain `name` is a thing's name, not a person's. */
const THING_PARENTS =
  /^(?:device|devices|module|modules|model|product|manufacturer|vendor|host|file|files|network|wifi|ap|site|facility|ward|unit|department|app|application|service|server|sensor|probe|component|part|firmware|software|package|profile|alarm|event|parameter|channel|printer|drug|medication|test|station|location|room|bed)$/;

/** Below these, `id`, `value` and `text` identify the person as well. */
const PERSON_CHILD_KEYS = /^(?:id|identifier|value|text|display|number|code|line)$/;

/**
 * Masks values by key in JSON and JSON-like text (Python reprs with single quotes
 * included): `"patientName": "Jane Doe"` becomes `"patientName": "[NAME]"` whatever the
 * value looks like: a string, a number, or a whole object or array (an `address` object
 * goes at once). Nested objects are walked, so a key is judged wherever it sits, and its
 * parent decides the ambiguous ones: `name` under `device` stays, `id` under `patient`
 * goes. Text that is not well-formed (a line cut short) is still scanned up to its end.
 */
export function maskStructured(text: string, removals: Removals): string {
  const parents: string[] = [];
  let out = '';
  let copied = 0;
  let i = 0;

  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (opensString(text, i)) {
      const end = stringEnd(text, i);
      const colon = skipSpace(text, end);
      if (text.charCodeAt(colon) !== COLON) {
        i = end;
        continue;
      }
      const key = text.slice(i + 1, end - 1);
      const valueAt = skipSpace(text, colon + 1);
      const valueEnd = valueExtent(text, valueAt);
      const opener = text.charCodeAt(valueAt);
      const block = opener === BRACE || opener === BRACKET;
      // A person's object ("patient": {…}) is walked: its clinical facts may stay.
      const tag = block && namesPerson(key) ? null : tagFor(key, parents);
      if (tag && hasContent(text, valueAt, valueEnd)) {
        out += text.slice(copied, valueAt) + `"${placeholder(tag)}"`;
        copied = valueEnd;
        removals.count++;
        i = valueEnd;
        continue;
      }
      if (block) parents.push(key);
      i = block ? valueAt + 1 : valueAt;
      continue;
    }
    if (c === BRACE || c === BRACKET) parents.push(parents.at(-1) ?? '');
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) parents.pop();
    i++;
  }

  return copied === 0 ? text : out + text.slice(copied);
}

const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function tagFor(key: string, parents: readonly string[]): PhiTag | null {
  const parent = parents.at(-1) ?? '';
  const k = normaliseKey(key);
  if (k === 'name' && THING_PARENTS.test(normaliseKey(parent))) return null;
  const tag = identityTag(key);
  if (tag) return tag;
  if (PERSON_CHILD_KEYS.test(k) && parents.some(namesPerson)) return 'ID';

  return null;
}

/**
 * A double quote always opens a string; an apostrophe only where a value could start, so
 * that "don't" in free text before the JSON does not swallow it.
 */
function opensString(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c === QUOTE) return true;

  return c === APOSTROPHE && !/[\p{L}\p{N}]/u.test(text.charAt(at - 1));
}

/** Index just past the string opening at `from` (its own quote character closes it). */
function stringEnd(text: string, from: number): number {
  const quote = text.charCodeAt(from);
  for (let i = from + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === quote) return i + 1;
  }

  return text.length;
}

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;

  return i;
}

/** Index just past the value at `from`: a string, a bracketed block, or a bare scalar. */
function valueExtent(text: string, from: number): number {
  const c = text.charCodeAt(from);
  if (opensString(text, from)) return stringEnd(text, from);
  if (c === BRACE || c === BRACKET) return blockEnd(text, from);

  let i = from;
  for (; i < text.length; i++) {
    const d = text.charCodeAt(i);
    if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET) break;
  }
  while (i > from && text[i - 1] === ' ') i--;

  return i;
}

/** Index just past the bracket that closes the one at `from`, strings skipped. */
function blockEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (opensString(text, i)) i = stringEnd(text, i) - 1;
    else if (c === BRACE || c === BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return i + 1;
  }

  return text.length;
}

/** Empty strings, `null` and booleans carry nothing to mask and are not counted. */
function hasContent(text: string, from: number, to: number): boolean {
  const value = text.slice(from, to).trim();

  return !/^(?:""|''|\[\]|\{\}|null|true|false|None|True|False)?$/.test(value);
}
