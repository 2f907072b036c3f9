import { describe, expect, it } from 'vitest';
import { cleanLine, findErrorCode, guessSeverity, MAX_LINE_CHARS } from './classify.ts';

describe('guessSeverity', () => {
  it.each([
    ['2025-03-01 10:00:01 [ERROR] pump stalled', 'error'],
    ['ERR-0412 overpressure', 'error'],
    ['FATAL: watchdog reset', 'critical'],
    ['<CRIT> battery fault', 'critical'],
    ['WARN battery low', 'warning'],
    ['level=warning msg="signal weak"', 'warning'],
    ['NOTICE calibration due', 'notice'],
    ['debug: polling', 'debug'],
    ['INFO retry after error', 'info'],
    ['pump self-test passed', 'info'],
    ['errors: 0', 'info'],
  ])('%s → %s', (text, severity) => {
    expect(guessSeverity(text)).toBe(severity);
  });
});

describe('findErrorCode', () => {
  it.each([
    ['E-1234 occlusion', 'E-1234'],
    ['ERROR ERR-0412 overpressure', 'ERR-0412'],
    ['E-NIBP-0412 Overpressure detected', 'E-NIBP-0412'],
    ['2025-03-01 12:00 started', null],
    ['no code here', null],
  ])('%s → %s', (text, code) => {
    expect(findErrorCode(text)).toBe(code);
  });
});

describe('cleanLine', () => {
  it('drops control characters and undecodable bytes but keeps tabs and accents', () => {
    const raw = Buffer.concat([
      Buffer.from('ok\tcafé '),
      Buffer.from([0x00, 0x07, 0xff, 0xfe, 0x1b]),
      Buffer.from('[0m done\r'),
    ]).toString('utf8');

    expect(cleanLine(raw)).toBe('ok\tcafé [0m done');
  });

  it('cuts lines over the limit', () => {
    expect(cleanLine('x'.repeat(MAX_LINE_CHARS + 10))).toHaveLength(MAX_LINE_CHARS);
  });
});
