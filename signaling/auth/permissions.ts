import { TetherError } from '../../shared/errors.ts';
import type { ConsoleToServer } from '../../shared/protocol/console.ts';
import type { Role } from '../../shared/protocol/views.ts';

/**
 * Who may call an action:
 * - `anyone`: no sign-in needed (signing in, agents enrolling and proving themselves).
 * - `setup`: any signed-in person, including an administrator who has not set up
 *   two-factor sign-in yet and so may do nothing else.
 * - a list of roles: a person fully signed in with one of them.
 */
export type Audience = 'anyone' | 'setup' | readonly Role[];

const EVERYONE: readonly Role[] = ['admin', 'technician', 'expert'];
/** Those who run sessions and deliver to devices. */
const SERVICE: readonly Role[] = ['admin', 'technician'];
const ADMINS: readonly Role[] = ['admin'];

type ConsoleMessageType = ConsoleToServer['type'];
type PermissionTable = Readonly<Record<string, Audience>> &
  Readonly<Record<`msg ${ConsoleMessageType}`, readonly Role[]>>;

/**
 * The one table of who may do what: every message the console sends on its socket
 * (`msg <type>`) and every HTTP route (`<METHOD> <path pattern>`). Whatever is not here
 * is refused. A new console message does not compile until it has a row.
 *
 * Experts sign in and see the fleet; they change nothing yet (joining sessions they are
 * invited to comes later). Technicians run sessions and deliver software and licences.
 * Administrators do all of that, upload packages, and run the Administration area.
 */
export const PERMISSIONS = {
  'msg agents.list': EVERYONE,
  'msg session.request': SERVICE,
  'msg session.end': SERVICE,
  'msg signal': SERVICE,
  'msg session.retry': SERVICE,
  'msg capability.request': SERVICE,
  'msg unattended.finish': SERVICE,

  'POST /api/session': 'anyone',
  'POST /api/session/code': 'anyone',
  'GET /api/session': 'setup',
  'DELETE /api/session': 'anyone',
  'POST /api/account/two-factor/setup': 'setup',
  'POST /api/account/two-factor/confirm': 'setup',
  'GET /healthz': 'anyone',

  'POST /api/agents/enrol': 'anyone',
  'POST /api/agents/challenge': 'anyone',

  'GET /api/fleet': EVERYONE,
  'GET /api/fleet/device': EVERYONE,
  'GET /api/fleet/events': EVERYONE,
  'GET /api/fleet/events.csv': EVERYONE,

  'GET /api/software': SERVICE,
  'POST /api/software/packages': ADMINS,
  'POST /api/software/jobs': SERVICE,
  'POST /api/software/licences': SERVICE,

  'GET /api/admin/users': ADMINS,
  'POST /api/admin/users': ADMINS,
  'POST /api/admin/users/:id/disable': ADMINS,
  'POST /api/admin/users/:id/enable': ADMINS,
  'POST /api/admin/users/:id/reset-two-factor': ADMINS,
  'GET /api/admin/facilities': ADMINS,
  'POST /api/admin/facilities': ADMINS,
  'POST /api/admin/enrolment-tokens': ADMINS,
  'GET /api/admin/agents': ADMINS,
  'POST /api/admin/agents/:id/revoke': ADMINS,

  // The ledger names every account and facility: administrators only (see audit/routes.ts).
  'GET /api/audit': ADMINS,
  'GET /api/audit/export': ADMINS,
  'GET /api/audit/chain': ADMINS,
} as const satisfies PermissionTable;

/** What each refused action is, in the words of the refusal; "do this" where unnamed. */
const ACTION_WORDS: Partial<Record<keyof typeof PERMISSIONS, string>> = {
  'msg session.request': 'request sessions',
  'msg session.end': 'end sessions',
  'msg signal': 'connect to sessions',
  'msg session.retry': 'reconnect sessions',
  'msg capability.request': 'ask facilities for more access',
  'msg unattended.finish': 'request sessions',
  'GET /api/software': 'open Software & licences',
  'POST /api/software/packages': 'upload packages',
  'POST /api/software/jobs': 'deliver software',
  'POST /api/software/licences': 'issue licences',
  'GET /api/audit': 'read the audit ledger',
  'GET /api/audit/export': 'export the audit ledger',
  'GET /api/audit/chain': 'check the audit ledger',
};
const ADMIN_AREA = 'use the Administration area';

/** The table's key for a console socket message. */
export function messageAction(type: string): string {
  return `msg ${type}`;
}

/** The table's key for an HTTP route. */
export function routeAction(method: string, pattern: string): string {
  return `${method.toUpperCase()} ${pattern}`;
}

/** The audience of an action, or undefined when the table has no row for it. */
export function audienceOf(action: string): Audience | undefined {
  return Object.hasOwn(PERMISSIONS, action)
    ? (PERMISSIONS as Readonly<Record<string, Audience>>)[action]
    : undefined;
}

/**
 * Throws `forbidden`, in words, unless `role` may do `action`. The caller has already
 * established who is signed in; this only decides.
 */
export function requireRole(action: string, role: Role): void {
  const audience = audienceOf(action);
  if (audience === undefined) {
    throw new TetherError('forbidden', 'This is not allowed: no permission rule covers it.');
  }
  if (audience === 'anyone' || audience === 'setup' || audience.includes(role)) return;

  const what =
    ACTION_WORDS[action as keyof typeof PERMISSIONS] ??
    (action.includes(' /api/admin/') ? ADMIN_AREA : 'do this');
  throw new TetherError('forbidden', refusal(role, audience, what));
}

const ROLE_WORDS: Record<Role, string> = {
  admin: 'an administrator',
  technician: 'a technician',
  expert: 'an expert',
};

function refusal(role: Role, allowed: readonly Role[], what: string): string {
  const who = allowed.map((r) => `${ROLE_WORDS[r].replace(/^an? /, '')}s`).join(' and ');
  return `You are signed in as ${ROLE_WORDS[role]}; only ${who} may ${what}.`;
}
