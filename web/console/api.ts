import { z } from 'zod';
import {
  AccountState,
  SignInResponse,
  type CodeSignInRequest,
  type SignInRequest,
} from '../../shared/protocol/http.ts';
import { createLogger } from '../lib/log.ts';
import { callApi, getJson, postJson, type Answer } from './json-api.ts';

const log = createLogger('auth');

const SignedOut = z.object({ ok: z.literal(true) });

/** The signed-in person, or null when the session cookie is missing or no longer valid. */
export async function fetchAccount(): Promise<AccountState | null> {
  const answer = await getJson('/api/session', AccountState);
  if (!answer.ok && answer.code === null) log.warn('GET /api/session failed', { answer });

  return answer.ok ? answer.value : null;
}

/**
 * POST /api/session, the password step. Signed in (the server set the HttpOnly cookie),
 * or a ticket for the code step. The password is never kept.
 */
export function signIn(username: string, password: string): Promise<Answer<SignInResponse>> {
  const body: SignInRequest = { username, password };
  return postJson('/api/session', body, SignInResponse);
}

/** POST /api/session/code: the code from the authenticator app, or a recovery code. */
export function signInWithCode(ticket: string, code: string): Promise<Answer<SignInResponse>> {
  const body: CodeSignInRequest = { ticket, code };
  return postJson('/api/session/code', body, SignInResponse);
}

/** DELETE /api/session. Failure is ignored: the console forgets the user either way. */
export async function signOut(): Promise<void> {
  const answer = await callApi('/api/session', { method: 'DELETE' }, SignedOut);
  if (!answer.ok) log.warn('sign-out request failed; the cookie expires on its own');
}

/**
 * Whether the session cookie still signs this browser in: asked when the server ended the
 * console's socket, which it does on a sign-out elsewhere or when the account is disabled.
 */
export async function checkSignedIn(): Promise<'signed_in' | 'signed_out' | 'unknown'> {
  const answer = await getJson('/api/session', AccountState);
  if (answer.ok) return 'signed_in';
  return answer.code === 'unauthenticated' ? 'signed_out' : 'unknown';
}
