import { describe, it, expect } from 'vitest';
import type { LogLine } from '../../../shared/logs.ts';
import { formatLogLine, sanitizeForTerminal } from './log-format.ts';

// Strips SGR colour codes so the assertions read like what the technician sees.
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex
}

const at = new Date(2025, 0, 1, 17, 40, 1, 123).toISOString();

describe('formatLogLine', () => {
  it('lays out time, severity, source, code and text', () => {
    const line: LogLine = {
      seq: 1,
      at,
      source: 'dev-1',
      severity: 'error',
      code: 'E-NIBP-0412',
      text: 'Overpressure detected',
      redacted: 0,
    };

    const out = formatLogLine(line, 'CVSM 6400');
    expect(plain(out)).toBe('17:40:01.123 ERROR  CVSM 6400 · E-NIBP-0412  Overpressure detected');
    expect(out).toContain('\x1b[31m');
  });

  it('omits the code separator when there is no code and styles critical lines', () => {
    const line: LogLine = {
      seq: 2,
      at,
      source: 'dev-1',
      severity: 'critical',
      code: null,
      text: 'Pump stalled',
      redacted: 0,
    };

    const out = formatLogLine(line, 'ProBP 3400');
    expect(plain(out)).toBe('17:40:01.123 CRIT   ProBP 3400  Pump stalled');
    expect(out).toContain('\x1b[1;91m');
  });
});

describe('formatLogLine with a code repeated in the text', () => {
  const base: LogLine = {
    seq: 3,
    at,
    source: 'd',
    severity: 'warning',
    code: 'W-NIBP-0310',
    text: '',
    redacted: 0,
  };

  it('shows the code once when the text starts with it', () => {
    const out = plain(formatLogLine({ ...base, text: 'W-NIBP-0310: Cuff leak suspected' }, 'CVSM'));
    expect(out).toBe('17:40:01.123 WARN   CVSM · W-NIBP-0310  Cuff leak suspected');
  });

  it('keeps text that only shares a prefix with the code', () => {
    const out = plain(formatLogLine({ ...base, text: 'W-NIBP-03101 other' }, 'CVSM'));
    expect(out).toContain('W-NIBP-03101 other');
  });
});

describe('formatLogLine for a line the PHI filter changed', () => {
  const base: LogLine = {
    seq: 4,
    at,
    source: 'd',
    severity: 'info',
    code: null,
    text: 'Stored for patient [NAME], MRN [MRN]',
    redacted: 2,
  };

  it('says, dimmed, how many items the agent removed', () => {
    const out = formatLogLine(base, 'CVSM');

    expect(plain(out)).toBe(
      '17:40:01.123 INFO   CVSM  Stored for patient [NAME], MRN [MRN] · 2 items removed',
    );
    expect(out).toContain('\x1b[2m · 2 items removed');
  });

  it('uses the singular for one item and says nothing when none were removed', () => {
    expect(plain(formatLogLine({ ...base, redacted: 1 }, 'CVSM'))).toMatch(/ · 1 item removed$/);
    expect(plain(formatLogLine({ ...base, redacted: 0 }, 'CVSM'))).not.toContain('removed');
  });
});

describe('sanitizeForTerminal', () => {
  it('neutralises escape sequences and line breaks from device text', () => {
    const hostile = 'ok\x1b[2J\x1b]0;title\x07\r\nnext\tcol';
    const safe = sanitizeForTerminal(hostile);

    expect(safe).not.toMatch(/[\x00-\x1f\x7f-\x9f]/); // eslint-disable-line no-control-regex
    expect(safe).toContain('next  col');
  });
});
