import { describe, expect, it } from 'vitest';
import { DEMO_FACILITY_DEVICES } from '../devices/demo-facility.ts';
import { createPhiFilter } from './filter.ts';
import { maskUncuedNames } from './names.ts';
import { PhiSettings } from './settings.ts';
import type { Removals } from './tags.ts';
import { GIVEN_NAMES, KEPT_WORDS } from './word-lists.ts';

function mask(text: string): { text: string; removed: number } {
  const removals: Removals = { count: 0 };
  return { text: maskUncuedNames(text, removals), removed: removals.count };
}

describe('names without a cue', () => {
  const cases: Array<[string, string]> = [
    ['John Smith called about the pump', '[NAME] called about the pump'],
    ['seen by Maria Gonzalez-Ruiz at 10:00', 'seen by [NAME] at 10:00'],
    ['Anna van der Berg and Liam O’Brien', '[NAME] and [NAME]'],
    ["ask Ronald McDonald or Sean O'Neil", 'ask [NAME] or [NAME]'],
    ['Juan de la Cruz, Yusuf al-Haddad', '[NAME], [NAME]'],
    ['Mary Ann Smith-Jones and Jean-Luc Picard', '[NAME] and [NAME]'],
    ['John F. Kennedy signed', '[NAME] signed'],
    ['Łukasz Kowalczyk, Jürgen Müller, Chloé Dubois', '[NAME], [NAME], [NAME]'],
    ['Smith, John called back', '[NAME] called back'],
    ['van der Berg, Pieter asked', '[NAME] asked'],
    ['ALARM ACK BY JOHN SMITH', 'ALARM ACK BY [NAME]'],
    ['PT MOVED: JUAN DE LA CRUZ', 'PT MOVED: [NAME]'],
  ];

  for (const [input, expected] of cases) {
    it(`masks "${input}"`, () => expect(mask(input).text).toBe(expected));
  }

  it('counts one item per name', () => {
    expect(mask('Priya Patel met Wei Zhang').removed).toBe(2);
  });
});

describe('service vocabulary the name rule leaves alone', () => {
  const kept = [
    'Max Pressure 300 mmHg; Grace Period ends; Mark Complete; Victor Monitor Mode On',
    'Welch Allyn Connex Spot Monitor, Spot Vision Screener, Karl Storz Image1',
    'Thu Dec 12 10:00:01; June Update 2.1.3; Jan Feb Mar',
    'MAX NIBP alarm; Anna ECG lead off; Max SpO2 99; Ivy3 Module',
    'John called; Maria logged in',
    'Error, John',
    'Nihon Kohden Life Scope, Philips IntelliVue MX40, GE Carescape B650',
  ];

  for (const line of kept) {
    it(`keeps "${line.slice(0, 40)}…"`, () =>
      expect(mask(line)).toEqual({ text: line, removed: 0 }));
  }

  it('leaves every simulated device event alone', () => {
    const filter = createPhiFilter();
    const templates = DEMO_FACILITY_DEVICES.flatMap((sim) => [
      ...sim.events,
      ...sim.burst,
      ...sim.critical,
    ]).map((event) => event.text);

    expect(templates.filter((text) => filter(text).removed > 0)).toEqual([]);
  });

  it('lets the policy keep a name-like phrase, e.g. a ward named after a person', () => {
    const filter = createPhiFilter(PhiSettings.parse({ keepPatterns: ['Grace Hopper Ward'] }));

    expect(filter('bed 4 in Grace Hopper Ward; Grace Hopper visited').text).toBe(
      'bed 4 in Grace Hopper Ward; [NAME] visited',
    );
  });
});

describe('the word lists', () => {
  it('hold a few thousand given names from many languages, and the kept vocabulary', () => {
    expect(GIVEN_NAMES.size).toBeGreaterThan(2500);
    for (const name of ['john', 'maria', 'jürgen', 'łukasz', 'priya', 'wei', 'fatima', 'kwame']) {
      expect(GIVEN_NAMES.has(name), name).toBe(true);
    }
    for (const word of ['welch', 'allyn', 'pressure', 'monday', 'december', 'nibp']) {
      expect(KEPT_WORDS.has(word), word).toBe(true);
    }
  });
});
