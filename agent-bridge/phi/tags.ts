/** What a removed item was; the filter writes the tag in its place, e.g. `[NAME]`. */
export const PHI_TAGS = [
  'NAME',
  'MRN',
  'DOB',
  'SSN',
  'PHONE',
  'EMAIL',
  'ADDRESS',
  'ACCOUNT',
  'INSURANCE',
  'IP',
  'HOST',
  'ID',
] as const;
export type PhiTag = (typeof PHI_TAGS)[number];

/** The text written in place of a removed item. */
export function placeholder(tag: PhiTag): string {
  return `[${tag}]`;
}

/** Counts replacements while one line is filtered. */
export interface Removals {
  count: number;
}
