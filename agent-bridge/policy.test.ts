import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { UserError } from './errors.ts';
import { DEFAULT_POLICY, EXAMPLE_POLICY_FILE, loadPolicy } from './policy.ts';

function tempFile(content?: string, name = 'policy.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'policy-')), name);
  if (content !== undefined) writeFileSync(file, content);
  return file;
}

/** Every setting's dotted path, from the top of a decoded policy down to its values. */
function settingPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) =>
    settingPaths(inner, prefix ? `${prefix}.${key}` : key),
  );
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
      access: {
        attended: true,
        oneTimeCodes: { enabled: true, validMinutes: 10 },
        unattended: {
          enabled: false,
          technicians: [],
          organisations: [],
          windows: [],
          capabilities: ['logs.read'],
        },
      },
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

  it('refuses access settings under which no session could ever start', () => {
    const file = tempFile(
      '{ "access": { "attended": false, "oneTimeCodes": { "enabled": false } } }',
    );

    expect(() => loadPolicy(file)).toThrow(
      /access: attended, oneTimeCodes.enabled and unattended.enabled are all false, so no session could ever start/,
    );
  });

  it('reads unattended access, off by default, and lets it be the only way in', () => {
    expect(DEFAULT_POLICY.access.unattended.enabled).toBe(false);
    const policy = loadPolicy(
      tempFile(
        JSON.stringify({
          access: {
            attended: false,
            oneTimeCodes: { enabled: false },
            unattended: {
              enabled: true,
              organisations: ['Service Co'],
              windows: [{ days: ['sat', 'sun'], from: '22:00', to: '04:00' }],
              timeZone: 'Europe/Berlin',
            },
          },
        }),
      ),
    );

    expect(policy.access.unattended).toEqual({
      enabled: true,
      technicians: [],
      organisations: ['Service Co'],
      windows: [{ days: ['sat', 'sun'], from: '22:00', to: '04:00' }],
      timeZone: 'Europe/Berlin',
      capabilities: ['logs.read'],
    });
  });

  it('refuses unattended settings that cannot be meant, naming the setting', () => {
    const unattended = (settings: object) =>
      tempFile(JSON.stringify({ access: { unattended: { enabled: true, ...settings } } }));

    expect(() => loadPolicy(unattended({ timeZone: 'Mars/Olympus' }))).toThrow(
      /access.unattended.timeZone: expected a time zone name such as Europe\/Berlin/,
    );
    expect(() =>
      loadPolicy(unattended({ windows: [{ days: ['mon'], from: '25:00', to: '02:00' }] })),
    ).toThrow(/access.unattended.windows.0.from: expected a time of day such as 22:00/);
    expect(() =>
      loadPolicy(unattended({ windows: [{ days: ['mon'], from: '02:00', to: '02:00' }] })),
    ).toThrow(/from and to are the same time/);
    expect(() =>
      loadPolicy(unattended({ windows: [{ days: ['monday'], from: '01:00', to: '02:00' }] })),
    ).toThrow(/access.unattended.windows.0.days.0/);
    expect(() => loadPolicy(unattended({ capabilities: ['terminal'] }))).toThrow(
      /access: unattended.capabilities lists terminal, which allowedCapabilities does not allow/,
    );
    const spelt = tempFile('{ "access": { "unattended": { "technician": ["tess"] } } }');
    expect(() => loadPolicy(spelt)).toThrow(/Unrecognized key: "technician"/);
  });

  it('refuses a file name that does not say how to read it', () => {
    const file = tempFile('{}', 'policy.conf');

    expect(() => loadPolicy(file)).toThrow(
      `TETHER_POLICY ${file}: the file name must end in .json, .yaml or .yml`,
    );
  });
});

describe('loadPolicy with YAML', () => {
  it('reads YAML with the same schema and defaults', () => {
    const yaml = [
      'consentTimeoutSeconds: 30',
      'allowedCapabilities: [logs.read]',
      'access:',
      '  oneTimeCodes:',
      '    validMinutes: 5',
    ].join('\n');
    const policy = loadPolicy(tempFile(yaml, 'policy.yaml'));

    expect(policy).toEqual({
      ...DEFAULT_POLICY,
      consentTimeoutSeconds: 30,
      allowedCapabilities: ['logs.read'],
      grantedByDefault: ['logs.read'],
      access: {
        ...DEFAULT_POLICY.access,
        oneTimeCodes: { enabled: true, validMinutes: 5 },
      },
    });
    expect(loadPolicy(tempFile('# nothing set yet\n', 'policy.yml'))).toEqual(DEFAULT_POLICY);
  });

  it('names the file, the setting and its line for a bad value or an unknown key', () => {
    const bad = tempFile('access:\n  oneTimeCodes:\n    validMinutes: 90\n', 'policy.yaml');
    expect(() => loadPolicy(bad)).toThrow(UserError);
    expect(() => loadPolicy(bad)).toThrow(
      `TETHER_POLICY ${bad}: access.oneTimeCodes.validMinutes (line 3): Too big`,
    );

    const typo = tempFile('backlogLines: 10\naccess:\n  atended: true\n', 'policy.yaml');
    expect(() => loadPolicy(typo)).toThrow(/access \(line 3\): Unrecognized key: "atended"/);
  });

  it('names the file and the place for YAML that does not parse, or repeats a key', () => {
    const broken = tempFile('allowedCapabilities: [logs.read\n', 'policy.yaml');
    expect(() => loadPolicy(broken)).toThrow(
      new RegExp(
        `^TETHER_POLICY ${broken}: cannot read it as YAML \\(.*line \\d+, column \\d+\\)\\.$`,
      ),
    );

    const twice = tempFile('backlogLines: 1\nbacklogLines: 2\n', 'policy.yaml');
    expect(() => loadPolicy(twice)).toThrow(/cannot read it as YAML \(Map keys must be unique/);
  });

  it('starts a missing YAML policy as a copy of the documented example', () => {
    const file = tempFile(undefined, 'policy.yaml');

    expect(loadPolicy(file)).toEqual(DEFAULT_POLICY);
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(EXAMPLE_POLICY_FILE, 'utf8'));
  });
});

describe('policy.example.yaml', () => {
  const text = readFileSync(EXAMPLE_POLICY_FILE, 'utf8');

  it('parses, validates, and shows exactly the defaults', () => {
    expect(loadPolicy(EXAMPLE_POLICY_FILE)).toEqual(DEFAULT_POLICY);
  });

  it('names every setting there is', () => {
    const written = settingPaths(parse(text)).sort();

    expect(written).toEqual(settingPaths(DEFAULT_POLICY).sort());
  });

  it('has a comment right above every setting', () => {
    const lines = text.split('\n');
    const uncommented = lines.flatMap((line, index) => {
      if (!/^\s*[A-Za-z]+:/.test(line)) return [];
      const above = lines[index - 1]?.trim() ?? '';
      return above.startsWith('#') ? [] : [line.trim()];
    });

    expect(uncommented).toEqual([]);
  });
});
