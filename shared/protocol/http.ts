import { z } from 'zod';
import { Id, IsoTime } from './common.ts';
import { FacilityView, UserView } from './views.ts';

/** POST /api/session: sign in. Sets the HttpOnly session cookie on success. */
export const SignInRequest = z.object({
  username: z.string().trim().min(1, 'Enter your user name.').max(64),
  password: z.string().min(1, 'Enter your password.').max(256),
});
export type SignInRequest = z.infer<typeof SignInRequest>;

export const SignInResponse = z.object({ user: UserView });
export type SignInResponse = z.infer<typeof SignInResponse>;

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
});
export type AgentAuth = z.infer<typeof AgentAuth>;
