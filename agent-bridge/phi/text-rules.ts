import {
  ADDRESS,
  CUE_NAME,
  DATE_VALUE,
  EMAIL,
  ID_VALUE,
  NAME_VALUE,
  PHONE,
  PRIVATE_IP,
  SSN,
  TOKEN_VALUE,
  anyCase,
  escapeRegex,
} from './patterns.ts';
import {
  AUSTRALIAN_STATE_POSTCODE,
  CANADIAN_POSTAL_CODE,
  DUTCH_POSTCODE,
  DUTCH_POSTCODE_LEAD,
  EUROPEAN_STREET,
  FRENCH_STREET,
  MAY_HOLD_EUROPEAN_STREET,
  MAY_HOLD_OTHER_ADDRESS,
  PREFIXED_POSTCODE,
  STREET_NAME_THEN_NUMBER,
  UK_POSTCODE,
} from './address-patterns.ts';
import { maskUncuedNames } from './names.ts';
import { maskStructured, mayHoldStructured } from './structured.ts';
import { placeholder, type PhiTag, type Removals } from './tags.ts';

/**
 * One free-text rule: a `prefix` that is kept (the label, "MRN: ", often empty) and the
 * `value` that is replaced. Neither may hold capture groups of its own. `tag` is fixed,
 * or read from the prefix for labels that share one rule.
 */
interface TextRule {
  prefix: string;
  value: string;
  tag: PhiTag | ((prefix: string) => PhiTag);
}

/** Which tag a label stands for, checked in order; the first that matches wins. */
const LABEL_TAGS: ReadonlyArray<[RegExp, PhiTag]> = [
  [/d\.?o\.?b|birth|born/i, 'DOB'],
  [/ssn|social/i, 'SSN'],
  [/phone|tel|mobile|cell/i, 'PHONE'],
  [/mail/i, 'EMAIL'],
  [/addr|street/i, 'ADDRESS'],
  [/insurance|policy|member|subscriber|group/i, 'INSURANCE'],
  [/acc(?:oun)?t/i, 'ACCOUNT'],
  [/mrn|mr#|record|chart/i, 'MRN'],
];

function tagForLabel(prefix: string): PhiTag {
  for (const [pattern, tag] of LABEL_TAGS) if (pattern.test(prefix)) return tag;
  return 'ID';
}

// "Module name: NIBP" names a part of the device, not a person.
const PERSON_LABELS = anyCase(
  '(?:(?:(?:patient|pt|first|last|given|family|full|middle|maiden)[ _-]?)?name|patient|pt|' +
    'sur[ _-]?name|fore[ _-]?names?|guarantor|insured|subscriber|next[ _-]of[ _-]kin)',
);
const THING_WORDS = anyCase(
  '(?:module|device|file|host|model|user|network|printer|sensor|ap|ssid|app|service|' +
    'server|process|task|probe|cuff|profile)',
);
// The label is matched first and the thing word looked for behind it only then: a
// lookbehind in front would be tried at every word of every line.
const NAME_LABEL = `${PERSON_LABELS}(?<!${THING_WORDS}[ _-]?${PERSON_LABELS})`;

const ID_LABELS = anyCase(
  'mrn|mr#|medical[ _-]record(?:[ _-]number|[ _-]no\\.?)?|record[ _-](?:number|no\\.?)|' +
    'chart[ _-](?:number|no\\.?)|ssn|social[ _-]security(?:[ _-]number|[ _-]no\\.?)?|' +
    'account(?:[ _-]number|[ _-]no\\.?)?|acct|insurance(?:[ _-]id|[ _-]number|[ _-]no\\.?)?|' +
    'policy(?:[ _-]number|[ _-]no\\.?|[ _-]id)?|member[ _-]id|subscriber[ _-]id|' +
    'group[ _-](?:number|no\\.?)|patient[ _-]?id|visit[ _-]?(?:id|number|no\\.?)|' +
    'encounter(?:[ _-]?id)?',
);

const CONTACT_LABELS = anyCase(
  'e-?mail|phone|tel|telephone|mobile|cell|dob|d\\.o\\.b\\.?|date[ _-]of[ _-]birth|' +
    'birth[ _-]?date',
);

// Labels without `:`/`=` only count when a number follows: "MRN 00482913", "acct # 5512".
const ID_LABELS_BARE = anyCase(
  'mrn|mr#|medical record(?: number| no\\.?)?|account(?: number| no\\.?)?|acct|' +
    'insurance(?: id| number| no\\.?)?|policy(?: number| no\\.?| id)|member id|subscriber id|' +
    'ssn|patient id|visit (?:id|number|no\\.?)|encounter(?: id)?|record (?:number|no\\.?)',
);

const ADDRESS_LABELS =
  '(?:(?:home[ _-])?(?:address|addr|street)|city|town|zip(?:[ _-]?code)?|' +
  'post(?:al)?[ _-]?code)';

const BUILT_IN_HOST_SUFFIXES = ['local', 'lan', 'internal', 'corp', 'intranet', 'home.arpa'];

/** The built-in rules, earliest first where two could start at the same place. */
export function builtInRules(): TextRule[] {
  return [
    {
      prefix: `\\b${NAME_LABEL}\\s*[:=]\\s*`,
      value: `"[^"]{0,200}"|'[^']{0,200}'|${NAME_VALUE}|${TOKEN_VALUE}`,
      tag: 'NAME',
    },
    {
      prefix: `\\b${anyCase('(?:for )?(?:patient|pt)')}\\.?\\s+`,
      value: CUE_NAME,
      tag: 'NAME',
    },
    {
      prefix:
        `\\b${anyCase('(?:dob|d\\.o\\.b\\.?|date of birth|birth ?date|born(?: on)?)')}` +
        `\\s*[:=]?\\s*`,
      value: DATE_VALUE,
      tag: 'DOB',
    },
    {
      prefix: `\\b${anyCase(ADDRESS_LABELS)}\\s*[:=]\\s*`,
      value:
        `(?!\\[[A-Z]+\\])` + `(?:"[^"]{0,200}"|[^;|\\t]+?(?=\\s*[;|\\t]|\\s+[A-Za-z_]+\\s*[=:]|$))`,
      tag: 'ADDRESS',
    },
    {
      prefix: `\\b(?:${ID_LABELS}|${CONTACT_LABELS})\\s*[:=]\\s*`,
      value: `"[^"]{0,200}"|\\+?[\\d(][\\d ().-]{5,}\\d|${TOKEN_VALUE}`,
      tag: tagForLabel,
    },
    {
      prefix: `\\b(?:${ID_LABELS_BARE})\\s?(?:#|no\\.?|nr\\.?)?\\s?`,
      value: ID_VALUE,
      tag: tagForLabel,
    },
    { prefix: '', value: SSN, tag: 'SSN' },
    { prefix: '', value: PRIVATE_IP, tag: 'IP' },
    { prefix: '', value: PHONE, tag: 'PHONE' },
  ];
}

/**
 * Postal addresses but the European street form (which has its own pass). They run as a
 * pass of their own behind a cheap test (MAY_HOLD_OTHER_ADDRESS), so most lines never
 * pay for them.
 */
function addressRules(): TextRule[] {
  return [
    { prefix: '', value: ADDRESS, tag: 'ADDRESS' },
    ...[
      FRENCH_STREET,
      STREET_NAME_THEN_NUMBER,
      UK_POSTCODE,
      CANADIAN_POSTAL_CODE,
      PREFIXED_POSTCODE,
      AUSTRALIAN_STATE_POSTCODE,
    ].map((value): TextRule => ({ prefix: '', value, tag: 'ADDRESS' })),
    { prefix: DUTCH_POSTCODE_LEAD, value: DUTCH_POSTCODE, tag: 'ADDRESS' },
  ];
}

/**
 * Host names under the built-in suffixes (at least one label before them) and under the
 * policy's domains (the domain itself counts too).
 */
function hostPattern(internalHosts: readonly string[]): RegExp {
  const policyHosts = internalHosts.map((h) => anyCase(escapeRegex(h.replace(/^\./, ''))));
  const builtIn = BUILT_IN_HOST_SUFFIXES.map((h) => anyCase(escapeRegex(h))).join('|');
  const alternatives = [`(?:[A-Za-z0-9-]+\\.)+(?:${builtIn})`];
  if (policyHosts.length > 0) {
    alternatives.push(`(?:[A-Za-z0-9-]+\\.)*(?:${policyHosts.join('|')})`);
  }
  return new RegExp(`(?<![\\w.@-])(?:${alternatives.join('|')})(?![\\w-])`, 'g');
}

/** Masks identifiers in free text. */
export type TextMasker = (text: string, removals: Removals) => string;

/**
 * Compiles rules into one regular expression and one pass over the text. Each rule gets
 * one capture group, its prefix: the group that took part tells which rule matched, and
 * the value is the rest of the match. One group per rule rather than two halves what each
 * match allocates.
 */
function rulePass(rules: readonly TextRule[]): TextMasker {
  const combined = new RegExp(rules.map((r) => `(${r.prefix})(?:${r.value})`).join('|'), 'g');

  return (text, removals) =>
    text.replace(combined, (...args: unknown[]) => {
      // args: whole match, then one group per rule, then offset and input.
      for (let i = 0; i < rules.length; i++) {
        const prefix = args[1 + i];
        if (typeof prefix !== 'string') continue;
        const rule = rules[i] as TextRule;
        const tag = typeof rule.tag === 'function' ? rule.tag(prefix) : rule.tag;
        removals.count++;
        return prefix + placeholder(tag);
      }
      return String(args[0]);
    });
}

/**
 * Compiles the free-text rules once; `internalHosts` adds the policy's domain suffixes.
 * Order: values under identity keys in JSON-like text; the labelled and shaped rules in
 * one shared pass; European streets and the other non-US addresses, each behind a cheap
 * test; e-mail addresses and host names, behind a cheap test too (an `@`, a known
 * suffix), because their patterns may start at any letter; last, names without a cue,
 * once the rules before have taken what they know.
 */
export function createTextMasker(internalHosts: readonly string[] = []): TextMasker {
  const builtIn = rulePass(builtInRules());
  const addresses = rulePass(addressRules());
  const europeanStreets = rulePass([{ prefix: '', value: EUROPEAN_STREET, tag: 'ADDRESS' }]);
  const email = new RegExp(EMAIL, 'g');
  const hosts = hostPattern(internalHosts);
  const mayHoldHost = new RegExp(
    [
      ...BUILT_IN_HOST_SUFFIXES.map((s) => `.${s}`),
      ...internalHosts.map((h) => h.replace(/^\./, '')),
    ]
      .map((s) => anyCase(escapeRegex(s)))
      .join('|'),
  );
  const mask = (tag: PhiTag, removals: Removals) => (): string => {
    removals.count++;
    return placeholder(tag);
  };

  return (text, removals) => {
    const keyed = mayHoldStructured(text) ? maskStructured(text, removals) : text;
    let out = builtIn(keyed, removals);
    // Streets first: their postcode and town go with them, not as a second item.
    if (MAY_HOLD_EUROPEAN_STREET.test(out)) out = europeanStreets(out, removals);
    if (MAY_HOLD_OTHER_ADDRESS.test(out)) out = addresses(out, removals);
    if (out.includes('@')) out = out.replace(email, mask('EMAIL', removals));
    if (mayHoldHost.test(out)) out = out.replace(hosts, mask('HOST', removals));

    return maskUncuedNames(out, removals);
  };
}
