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
import { placeholder, type PhiTag, type Removals } from './tags.ts';

/**
 * One free-text rule. `source` has exactly two capture groups: a prefix that is kept (the
 * label, "MRN: ") and the value that is replaced. `tag` is fixed, or read from the prefix
 * for labels that share one rule.
 */
interface TextRule {
  source: string;
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
const NOT_A_PERSON_BEFORE = anyCase(
  '(?<!(?:module|device|file|host|model|user|network|printer|sensor|ap|ssid|app|service|' +
    'server|process|task|probe|cuff|profile)[ _-]?)',
);
const NAME_LABEL =
  NOT_A_PERSON_BEFORE +
  anyCase(
    '(?:(?:(?:patient|pt|first|last|given|family|full|middle|maiden)[ _-]?)?name|patient|pt|' +
      'guarantor|insured|subscriber|next[ _-]of[ _-]kin)',
  );

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

const BUILT_IN_HOST_SUFFIXES = ['local', 'lan', 'internal', 'corp', 'intranet', 'home.arpa'];

/** The built-in rules, earliest first where two could start at the same place. */
function builtInRules(): TextRule[] {
  return [
    {
      source: `(\\b${NAME_LABEL}\\s*[:=]\\s*)("[^"]{0,200}"|'[^']{0,200}'|${NAME_VALUE}|${TOKEN_VALUE})`,
      tag: 'NAME',
    },
    {
      source: `(\\b${anyCase('(?:for )?(?:patient|pt)')}\\.?\\s+)(${CUE_NAME})`,
      tag: 'NAME',
    },
    {
      source:
        `(\\b${anyCase('(?:dob|d\\.o\\.b\\.?|date of birth|birth ?date|born(?: on)?)')}` +
        `\\s*[:=]?\\s*)(${DATE_VALUE})`,
      tag: 'DOB',
    },
    {
      source:
        `(\\b${anyCase('(?:home[ _-])?(?:address|addr|street)')}\\s*[:=]\\s*)` +
        `("[^"]{0,200}"|[^;|\\t]+?(?=\\s*[;|\\t]|\\s+[A-Za-z_]+\\s*[=:]|$))`,
      tag: 'ADDRESS',
    },
    {
      source:
        `(\\b(?:${ID_LABELS}|${CONTACT_LABELS})\\s*[:=]\\s*)` +
        `("[^"]{0,200}"|\\+?[\\d(][\\d ().-]{5,}\\d|${TOKEN_VALUE})`,
      tag: tagForLabel,
    },
    {
      source: `(\\b(?:${ID_LABELS_BARE})\\s?(?:#|no\\.?|nr\\.?)?\\s?)(${ID_VALUE})`,
      tag: tagForLabel,
    },
    { source: `()(${SSN})`, tag: 'SSN' },
    { source: `()(${PRIVATE_IP})`, tag: 'IP' },
    { source: `()(${PHONE})`, tag: 'PHONE' },
    { source: `()(${ADDRESS})`, tag: 'ADDRESS' },
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
 * Compiles the free-text rules once; `internalHosts` adds the policy's domain suffixes.
 * Most rules share one pass over the line. E-mail addresses and host names have a pass of
 * their own behind a cheap test (an `@`, a known suffix), because their patterns may start
 * at any letter and would slow down the shared pass on every line.
 */
export function createTextMasker(internalHosts: readonly string[] = []): TextMasker {
  const rules = builtInRules();
  const combined = new RegExp(rules.map((r) => r.source).join('|'), 'g');
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
    let out = text.replace(combined, (...args: unknown[]) => {
      // args: whole match, then two groups per rule, then offset and input.
      for (let i = 0; i < rules.length; i++) {
        const value = args[2 + 2 * i];
        if (typeof value !== 'string') continue;
        const prefix = (args[1 + 2 * i] as string | undefined) ?? '';
        const rule = rules[i] as TextRule;
        const tag = typeof rule.tag === 'function' ? rule.tag(prefix) : rule.tag;
        removals.count++;
        return prefix + placeholder(tag);
      }
      return String(args[0]);
    });
    if (out.includes('@')) out = out.replace(email, mask('EMAIL', removals));
    if (mayHoldHost.test(out)) out = out.replace(hosts, mask('HOST', removals));

    return out;
  };
}
