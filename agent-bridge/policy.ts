import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { LineCounter, isNode, parseDocument, stringify } from 'yaml';
import { z } from 'zod';
import { Capability } from '../shared/capabilities.ts';
import { AccessSettings, accessProblem } from './access/settings.ts';
import { unattendedProblem } from './access/unattended-settings.ts';
import { describeError, UserError } from './errors.ts';
import { PhiSettings } from './phi/settings.ts';

/**
 * The facility's local policy, a JSON or YAML file (by its extension). The agent enforces
 * it whatever the server asks: a request for a capability not in `allowedCapabilities`
 * is refused, and `access` decides how a session may start at all. Unknown keys are
 * refused so that a misspelt setting does not silently fall back.
 * `policy.example.yaml` beside this file documents every setting.
 */
const DEFAULT_GRANTED: Capability[] = ['logs.read', 'screen.view'];

export const Policy = z
  .strictObject({
    /** How long staff have to answer a request before it is denied as timed out. */
    consentTimeoutSeconds: z.number().int().min(1).max(3600).default(60),
    /** What technicians may be granted at all. */
    allowedCapabilities: z
      .array(Capability)
      .max(20)
      .default(['logs.read', 'screen.view', 'screen.control']),
    /**
     * What the consent page proposes by default; must be allowed. Remote control is left
     * out so that staff tick it, or are asked for it, on purpose. When missing: logs.read
     * and screen.view, as far as `allowedCapabilities` allows them.
     */
    grantedByDefault: z.array(Capability).max(20).optional(),
    /** Most log lines sent as backlog when a session subscribes. */
    backlogLines: z.number().int().min(0).max(5000).default(500),
    /**
     * Show a banner on the service computer's own screen while a technician views or
     * controls it, so whoever sits there knows.
     */
    screenBanner: z.boolean().default(true),
    /**
     * Additions to the PHI filter every log line passes: site-specific identifier patterns,
     * text that must stay readable, internal domain names. The built-in rules always run.
     */
    phi: PhiSettings.prefault({}),
    /**
     * What the agent tells the other peer about its own network. `none` (the default)
     * sends no host candidate with a private, link-local, loopback or ULA address and no
     * such address anywhere in its SDP, and gathers TURN candidates only, so that even its
     * connectivity checks leave through the TURN server: the facility's internal
     * addressing never leaves it. Sessions then run through TURN, or the encrypted relay
     * when no TURN server is reachable. `lan` sends host candidates as they are, for a
     * console on the same network (or the same machine), and allows direct paths.
     */
    network: z
      .strictObject({ hostCandidates: z.enum(['none', 'lan']).default('none') })
      .prefault({}),
    /**
     * How a session may start: staff approving each request, a one-time code, or
     * unattended with the access password.
     */
    access: AccessSettings.prefault({}),
  })
  .transform((policy) => ({
    ...policy,
    grantedByDefault:
      policy.grantedByDefault ??
      DEFAULT_GRANTED.filter((c) => policy.allowedCapabilities.includes(c)),
  }));
export type Policy = z.infer<typeof Policy>;

/** The defaults, as written to a new policy file. */
export const DEFAULT_POLICY: Policy = Policy.parse({});

/** The documented example; a new YAML policy file starts as a copy of it. */
export const EXAMPLE_POLICY_FILE = join(import.meta.dirname, 'policy.example.yaml');

type Format = 'json' | 'yaml';

/** The line of the setting at a path in the file, where the format can tell. */
type LineOf = (path: readonly PropertyKey[]) => number | null;

/**
 * Reads the policy at `file`; writes the defaults there first when it does not exist.
 * Throws UserError naming the file, the setting (with its line, in YAML) and what is
 * wrong when the file is unreadable or invalid.
 */
export function loadPolicy(file: string): Policy {
  const format = formatOf(file);
  if (!existsSync(file)) {
    writeDefaultPolicy(file, format);
    return DEFAULT_POLICY;
  }

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`TETHER_POLICY ${file}: cannot read it (${describeError(error)}).`);
  }
  const { value, lineOf } = format === 'json' ? decodeJson(text, file) : decodeYaml(text, file);

  return parsePolicy(value, file, lineOf);
}

/** Validates a decoded policy; `where` names its origin in the error message. */
export function parsePolicy(value: unknown, where: string, lineOf?: LineOf): Policy {
  const result = Policy.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    // For an unknown key, point at the key itself rather than the section holding it.
    const keyPath =
      issue?.code === 'unrecognized_keys' ? [...path, ...issue.keys.slice(0, 1)] : path;
    const line = lineOf?.(keyPath);
    const name = path.length ? path.join('.') : 'policy';
    const at = line ? ` (line ${line})` : '';
    throw new UserError(`TETHER_POLICY ${where}: ${name}${at}: ${issue?.message ?? 'invalid'}.`);
  }

  const policy = result.data;
  const stray = policy.grantedByDefault.filter((c) => !policy.allowedCapabilities.includes(c));
  if (stray.length > 0) {
    throw new UserError(
      `TETHER_POLICY ${where}: grantedByDefault lists ${stray.join(', ')}, ` +
        'which allowedCapabilities does not allow.',
    );
  }
  const access =
    accessProblem(policy.access) ??
    unattendedProblem(policy.access.unattended, policy.allowedCapabilities);
  if (access) throw new UserError(`TETHER_POLICY ${where}: access: ${access}.`);

  return policy;
}

function formatOf(file: string): Format {
  const extension = extname(file).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';

  throw new UserError(
    `TETHER_POLICY ${file}: the file name must end in .json, .yaml or .yml, which says how to read it.`,
  );
}

function decodeJson(text: string, file: string): { value: unknown; lineOf?: LineOf } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    throw new UserError(`TETHER_POLICY ${file}: cannot read it as JSON (${describeError(error)}).`);
  }
}

/** YAML 1.2 (so `no` is text, not false); duplicate keys are an error. */
function decodeYaml(text: string, file: string): { value: unknown; lineOf: LineOf } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    // The library's message ends in a picture of the line; its first line says it all.
    const words = problem.message.split('\n')[0]?.replace(/:$/, '');
    throw new UserError(`TETHER_POLICY ${file}: cannot read it as YAML (${words}).`);
  }

  const lineOf: LineOf = (path) => {
    const node: unknown = doc.getIn(path, true);
    const start = isNode(node) ? node.range?.[0] : undefined;
    return start === undefined ? null : lines.linePos(start).line;
  };
  // A file of comments only is a policy that keeps every default.
  return { value: doc.toJS() ?? {}, lineOf };
}

function writeDefaultPolicy(file: string, format: Format): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, defaultText(format), { flag: 'wx' });
  } catch (error) {
    throw new UserError(
      `TETHER_POLICY ${file}: missing, and the defaults cannot be written (${describeError(error)}).`,
    );
  }
}

/** JSON has no comments, so it gets the bare defaults; YAML gets the commented example. */
function defaultText(format: Format): string {
  if (format === 'json') return `${JSON.stringify(DEFAULT_POLICY, null, 2)}\n`;
  if (existsSync(EXAMPLE_POLICY_FILE)) return readFileSync(EXAMPLE_POLICY_FILE, 'utf8');

  return stringify(DEFAULT_POLICY);
}
