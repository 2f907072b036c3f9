import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Capability } from '../shared/capabilities.ts';
import { describeError, UserError } from './errors.ts';
import { PhiSettings } from './phi/settings.ts';

/**
 * The facility's local policy. The agent enforces it whatever the server asks: a
 * capability not in `allowedCapabilities` is never offered to staff for approval.
 * Unknown keys are refused so that a misspelt setting does not silently fall back.
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

/**
 * Reads the policy at `file`; writes the defaults there first when it does not exist.
 * Throws UserError naming the file and the first problem when it is unreadable or invalid.
 */
export function loadPolicy(file: string): Policy {
  if (!existsSync(file)) {
    writeDefaultPolicy(file);
    return DEFAULT_POLICY;
  }

  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`TETHER_POLICY ${file}: cannot read it as JSON (${describeError(error)}).`);
  }

  return parsePolicy(value, file);
}

/** Validates a decoded policy; `where` names its origin in the error message. */
export function parsePolicy(value: unknown, where: string): Policy {
  const result = Policy.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? issue.path.join('.') : 'policy';
    throw new UserError(`TETHER_POLICY ${where}: ${path}: ${issue?.message ?? 'invalid'}.`);
  }

  const policy = result.data;
  const stray = policy.grantedByDefault.filter((c) => !policy.allowedCapabilities.includes(c));
  if (stray.length > 0) {
    throw new UserError(
      `TETHER_POLICY ${where}: grantedByDefault lists ${stray.join(', ')}, ` +
        'which allowedCapabilities does not allow.',
    );
  }

  return policy;
}

function writeDefaultPolicy(file: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(DEFAULT_POLICY, null, 2)}\n`, { flag: 'wx' });
  } catch (error) {
    throw new UserError(
      `TETHER_POLICY ${file}: missing, and the defaults cannot be written (${describeError(error)}).`,
    );
  }
}
