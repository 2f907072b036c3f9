import { z } from 'zod';
import { Id, IsoTime, Person } from './common.ts';
import { FacilityView, Role } from './views.ts';

/**
 * The Administration area's HTTP API (`/api/admin/...`), for administrators only: accounts,
 * facilities, enrolment tokens and enrolled agents.
 */

/** An account as an administrator sees it. Never a hash or a secret. */
export const AccountView = Person.extend({
  id: Id,
  role: Role,
  disabled: z.boolean(),
  twoFactor: z.boolean(),
  createdAt: IsoTime,
});
export type AccountView = z.infer<typeof AccountView>;

export const AccountList = z.object({ accounts: z.array(AccountView).max(10_000) });
export type AccountList = z.infer<typeof AccountList>;

/** POST /api/admin/users: a new account; the server makes its first password. */
export const CreateAccountRequest = z.object({
  username: z
    .string()
    .trim()
    .min(2, 'Enter a user name of at least 2 characters.')
    .max(64, 'A user name has at most 64 characters.')
    .regex(
      /^[a-z0-9][a-z0-9._-]*$/i,
      'A user name may hold letters, digits, dots, dashes and underscores.',
    ),
  displayName: z.string().trim().min(1, 'Enter the person’s name.').max(120),
  organisation: z.string().trim().min(1, 'Enter the organisation.').max(120),
  role: Role,
});
export type CreateAccountRequest = z.infer<typeof CreateAccountRequest>;

/** The new account and its first password, which the server keeps only as a hash. */
export const CreateAccountResponse = z.object({
  account: AccountView,
  password: z.string().min(12).max(64),
});
export type CreateAccountResponse = z.infer<typeof CreateAccountResponse>;

/** POST /api/admin/users/:id/… answers with the account as it now is. */
export const AccountResponse = z.object({ account: AccountView });
export type AccountResponse = z.infer<typeof AccountResponse>;

export const FacilityList = z.object({ facilities: z.array(FacilityView).max(10_000) });
export type FacilityList = z.infer<typeof FacilityList>;

/** POST /api/admin/facilities. */
export const CreateFacilityRequest = z.object({
  name: z.string().trim().min(2, 'Enter the facility’s name.').max(120),
});
export type CreateFacilityRequest = z.infer<typeof CreateFacilityRequest>;

export const FacilityResponse = z.object({ facility: FacilityView });
export type FacilityResponse = z.infer<typeof FacilityResponse>;

/** How long an enrolment token may be valid, in hours: at most a week. */
export const MAX_TOKEN_HOURS = 7 * 24;

/** POST /api/admin/enrolment-tokens: a single-use token to enrol one agent. */
export const CreateTokenRequest = z.object({
  facilityId: Id,
  validHours: z
    .number()
    .int('Choose a whole number of hours.')
    .min(1, 'A token must be valid for at least an hour.')
    .max(MAX_TOKEN_HOURS, `A token may be valid for at most ${MAX_TOKEN_HOURS} hours.`),
});
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;

/** The token itself, shown once: the server keeps only its hash. */
export const CreateTokenResponse = z.object({
  token: z.string().min(16).max(200),
  facility: FacilityView,
  expiresAt: IsoTime,
});
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;

/** An enrolled agent as an administrator sees it, revoked ones included. */
export const AdminAgentView = z.object({
  id: Id,
  name: z.string().min(1).max(120),
  facility: FacilityView,
  online: z.boolean(),
  enrolledAt: IsoTime,
  lastSeen: IsoTime.nullable(),
  revokedAt: IsoTime.nullable(),
});
export type AdminAgentView = z.infer<typeof AdminAgentView>;

export const AdminAgentList = z.object({ agents: z.array(AdminAgentView).max(10_000) });
export type AdminAgentList = z.infer<typeof AdminAgentList>;

export const AdminAgentResponse = z.object({ agent: AdminAgentView });
export type AdminAgentResponse = z.infer<typeof AdminAgentResponse>;
