import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from './errors.ts';
import { DEFAULT_POLICY, loadPolicy } from './policy.ts';

function tempFile(content?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.json');
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

describe('loadPolicy', () => {
  it('reads a good file and fills in the defaults for what it leaves out', () => {
    const policy = loadPolicy(tempFile('{ "consentTimeoutSeconds": 2 }'));

    expect(policy).toEqual({ ...DEFAULT_POLICY, consentTimeoutSeconds: 2 });
  });

  it('writes the defaults, readably, when the file is missing', () => {
    const file = tempFile();

    expect(loadPolicy(file)).toEqual(DEFAULT_POLICY);
    const written = readFileSync(file, 'utf8');
    expect(JSON.parse(written)).toEqual({
      consentTimeoutSeconds: 60,
      allowedCapabilities: ['logs.read', 'screen.view', 'screen.control'],
      grantedByDefault: ['logs.read', 'screen.view'],
      backlogLines: 500,
      screenBanner: true,
      phi: { extraPatterns: [], keepPatterns: [], internalHosts: [] },
      network: { hostCandidates: 'none' },
    });
    expect(written).toContain('\n  "consentTimeoutSeconds": 60,\n');
  });

  it('names the file and the problem for JSON that does not parse', () => {
    const file = tempFile('{ consentTimeoutSeconds: 2 ');

    expect(() => loadPolicy(file)).toThrow(UserError);
    expect(() => loadPolicy(file)).toThrow(`TETHER_POLICY ${file}: cannot read it as JSON`);
  });

  it('names the setting that is out of range', () => {
    const file = tempFile('{ "consentTimeoutSeconds": 0 }');

    expect(() => loadPolicy(file)).toThrow(/consentTimeoutSeconds: Too small/);
  });

  it('refuses unknown keys and capabilities, so typos do not pass silently', () => {
    expect(() => loadPolicy(tempFile('{ "consentTimeout": 30 }'))).toThrow(/consentTimeout/);
    expect(() => loadPolicy(tempFile('{ "allowedCapabilities": ["logs.write"] }'))).toThrow(
      /allowedCapabilities\.0/,
    );
  });

  it('proposes by default only what a narrower policy allows', () => {
    const policy = loadPolicy(tempFile('{ "allowedCapabilities": ["logs.read"] }'));

    expect(policy.grantedByDefault).toEqual(['logs.read']);
  });

  it('reads the phi section and fills in what it leaves out', () => {
    const policy = loadPolicy(
      tempFile('{ "phi": { "extraPatterns": [{ "pattern": "H\\\\d{6}", "tag": "MRN" }] } }'),
    );

    expect(policy.phi).toEqual({
      extraPatterns: [{ pattern: 'H\\d{6}', tag: 'MRN', ignoreCase: false }],
      keepPatterns: [],
      internalHosts: [],
    });
  });

  it('names a phi pattern that is not a valid regular expression', () => {
    const file = tempFile('{ "phi": { "extraPatterns": [{ "pattern": "[0-9", "tag": "ID" }] } }');

    expect(() => loadPolicy(file)).toThrow(UserError);
    expect(() => loadPolicy(file)).toThrow(
      /phi\.extraPatterns\.0\.pattern: "\[0-9" is not a valid regular expression/,
    );
  });

  it('refuses an unknown phi tag and a host that is not a domain name', () => {
    const badTag = '{ "phi": { "extraPatterns": [{ "pattern": "x", "tag": "SECRET" }] } }';
    expect(() => loadPolicy(tempFile(badTag))).toThrow(/phi\.extraPatterns\.0\.tag/);
    expect(() => loadPolicy(tempFile('{ "phi": { "internalHosts": ["a b"] } }'))).toThrow(
      /phi\.internalHosts\.0: expected a domain name/,
    );
  });

  it('refuses a default grant that is not allowed', () => {
    const file = tempFile(
      '{ "allowedCapabilities": ["logs.read"], "grantedByDefault": ["terminal"] }',
    );

    expect(() => loadPolicy(file)).toThrow(/grantedByDefault lists terminal/);
  });
});
