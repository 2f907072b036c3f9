import { z } from 'zod';
import { Id, IsoTime } from './common.ts';
import { FacilityView, UserView } from './views.ts';

/** POST /api/session: the password step of signing in. */
export const SignInRequest = z.object({
  username: z.string().trim().min(1, 'Enter your user name.').max(64),
  password: z.string().min(1, 'Enter your password.').max(256),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

/**
 * Who is signed in, and where they stand with two-factor sign-in. `setupRequired` is true
 * for an administrator without it: that session may do nothing but set it up.
 */
export const AccountState = z.object({
  user: UserView,
  twoFactor: z.boolean(),
  setupRequired: z.boolean(),
});
export type AccountState = z.infer<typeof AccountState>;

/** A sign-in ticket: proof that the password was right, good only for the code step. */
export const SignInTicket = z.string().min(20).max(400);

/**
 * The answer to the password step: signed in (cookie set), or a code is needed first (no
 * cookie; the ticket goes to POST /api/session/code with the code).
 */
export const SignInResponse = z.discriminatedUnion('step', [
  AccountState.extend({ step: z.literal('signed_in') }),
  z.object({ step: z.literal('code_required'), ticket: SignInTicket }),
]);
export type SignInResponse = z.infer<typeof SignInResponse>;

/** What a person types in the code step: six digits, or a recovery code. */
export const SecondFactorCode = z
  .string()
  .trim()
  .min(1, 'Enter the code from your authenticator app or a recovery code.')
  .max(40, 'That is not a code from an authenticator app or a recovery code.');

/** POST /api/session/code: the second step, with the ticket from the first. */
export const CodeSignInRequest = z.object({ ticket: SignInTicket, code: SecondFactorCode });
export type CodeSignInRequest = z.infer<typeof CodeSignInRequest>;

/** POST /api/account/two-factor/setup: a new secret to put in an authenticator app. */
export const TwoFactorSetupResponse = z.object({
  /** Base32, as authenticator apps take it when typed in. */
  secret: z.string().min(16).max(128),
  /** The otpauth:// URI the QR code holds. */
  uri: z.string().min(10).max(500),
  /** The QR code as an SVG data URL, ready for an <img>. */
  qr: z.string().startsWith('data:image/svg+xml').max(200_000),
});
export type TwoFactorSetupResponse = z.infer<typeof TwoFactorSetupResponse>;

/** POST /api/account/two-factor/confirm: a code from the app proves it is set up. */
export const TwoFactorConfirmRequest = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{3} ?\d{3}$/, 'Enter the 6-digit code your authenticator app shows.'),
});
export type TwoFactorConfirmRequest = z.infer<typeof TwoFactorConfirmRequest>;

/** Recovery codes, shown once: each signs in once in place of an app code. */
export const RecoveryCodesResponse = z.object({
  recoveryCodes: z.array(z.string().min(8).max(40)).min(1).max(20),
  account: AccountState,
});
export type RecoveryCodesResponse = z.infer<typeof RecoveryCodesResponse>;

/** POST /api/agents/enrol: binds an agent's public key to a facility with a one-time token. */
export const EnrolRequest = z.object({
  token: z.string().min(16).max(200),
  publicKey: z.string().min(40).max(100),
  name: z.string().trim().min(1).max(120),
  signature: z.string().min(40).max(200),
});
export type EnrolRequest = z.infer<typeof EnrolRequest>;

export const EnrolResponse = z.object({
  agentId: Id,
  facility: FacilityView,
  /**
   * Base64 of the server's raw Ed25519 release public key. The agent pins it here, at
   * enrolment, the one moment it already trusts the server through the one-time token.
   */
  releaseKey: z.string().min(40).max(60),
});
export type EnrolResponse = z.infer<typeof EnrolResponse>;

/** POST /api/agents/challenge: a fresh, single-use challenge the agent signs to connect. */
export const ChallengeRequest = z.object({ agentId: Id });
export const ChallengeResponse = z.object({
  challenge: z.string().min(32).max(200),
  expiresAt: IsoTime,
});
export type ChallengeResponse = z.infer<typeof ChallengeResponse>;

/** The socket.io `auth` payload of an agent connection on the `/agent` namespace. */
export const AgentAuth = z.object({
  agentId: Id,
  challenge: z.string().min(32).max(200),
  signature: z.string().min(40).max(200),
  /** The agent's fresh nonce, which the server signs in its hello to prove its own key. */
  serverNonce: z.string().min(16).max(100).optional(),
});
export type AgentAuth = z.infer<typeof AgentAuth>;
