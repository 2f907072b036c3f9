import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';

describe('TETHER_SERVICE_REPORT_SECONDS', () => {
  it('defaults to a report a minute', () => {
    expect(loadConfig({}).serviceReportSeconds).toBe(60);
    expect(loadConfig({ TETHER_SERVICE_REPORT_SECONDS: ' 5 ' }).serviceReportSeconds).toBe(5);
  });

  it('refuses what is not a whole number of seconds, naming the variable', () => {
    for (const value of ['0', '1.5', 'soon', '100000']) {
      expect(() => loadConfig({ TETHER_SERVICE_REPORT_SECONDS: value })).toThrow(
        `TETHER_SERVICE_REPORT_SECONDS "${value}" is not a whole number of seconds from 1 to 86400.`,
      );
    }
  });
});
