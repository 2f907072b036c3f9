import { describe, expect, it } from 'vitest';
import type { Removals } from './tags.ts';
import { createTextMasker } from './text-rules.ts';

const maskText = createTextMasker();

function mask(text: string): string {
  const removals: Removals = { count: 0 };
  return maskText(text, removals);
}

describe('postal addresses beyond the US', () => {
  const cases: Array<[string, string]> = [
    ['ship to 221B Baker Street, London NW1 6XE today', 'ship to [ADDRESS] today'],
    ['at 10 Downing Street; postcode SW1A 2AA', 'at [ADDRESS]; postcode [ADDRESS]'],
    ['12 Acacia Gardens, Leeds', '[ADDRESS]'],
    ['Hauptstraße 12, 10115 Berlin', '[ADDRESS]'],
    ['Bahnhofstr. 5a, CH-8001 Zürich', '[ADDRESS]'],
    ['Mariahilfer Straße 3/2, 1060 Wien', '[ADDRESS]'],
    ['Lange Gasse 12', '[ADDRESS]'],
    ['12 rue de la Paix, 75002 Paris', '[ADDRESS]'],
    ['3 bis, avenue Foch', '[ADDRESS]'],
    ['Kerkstraat 12a, 1012 AB Amsterdam', '[ADDRESS]'],
    ['Stationsweg 4, 3511 ED Utrecht', '[ADDRESS]'],
    ['office, 1012 AB Amsterdam', 'office, [ADDRESS]'],
    ['Via Roma 12, 00184 Roma', '[ADDRESS]'],
    ['Calle Mayor, 5 Madrid', '[ADDRESS] Madrid'],
    ['ul. Marszałkowska 10, 00-590 Warszawa', '[ADDRESS]'],
    ['Storgatan 5, 114 55 Stockholm', '[ADDRESS]'],
    ['Nørrebrogade 20', '[ADDRESS]'],
    ['100 King Street, Toronto, ON M5V 3L9', '[ADDRESS]'],
    ['postal code K1A 0B1', 'postal code [ADDRESS]'],
    ['5 George Street, Sydney NSW 2000', '[ADDRESS]'],
    ['PO Box 12, Perth WA 6000', 'PO Box 12, Perth [ADDRESS]'],
    ['sent to D-10115 Berlin', 'sent to [ADDRESS]'],
  ];

  for (const [input, expected] of cases) {
    it(`masks "${input}"`, () => expect(mask(input)).toBe(expected));
  }
});

describe('device facts that look like addresses', () => {
  const kept = [
    'firmware 2.1.3 on CVSM 6400, fw 1.52.00, build 4.0.12',
    'part PN 4200-12 REF 4200-12A LOT 2024-113 UDI (01)00884521234567',
    'E-1043 Overpressure, A-1010 Alarm, W-NET-0107, C-SYS-0901',
    'cycle 1043 OK, 2024 EU declaration, 1234 pages printed, 3 Monitoring beds',
    'Module NIBP-3 slot 2, Port 4, Channel 12, Room 301, W3-12',
    'Aggregate 12 samples, Buffer 8 free, Delegate 3 tasks',
    'SpO2 97 %, NIBP 120/80 mmHg, RR 16, HR 72, temp 37.2 C',
  ];

  for (const line of kept) {
    it(`keeps "${line.slice(0, 40)}…"`, () => expect(mask(line)).toBe(line));
  }
});
