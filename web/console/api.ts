import { ErrorBody } from '../../shared/errors.ts';
import { SignInResponse } from '../../shared/protocol/http.ts';
import type { UserView } from '../../shared/protocol/views.ts';
import { createLogger } from '../lib/log.ts';

const log = createLogger('auth');

/** The outcome of a sign-in, with a message written for the person at the keyboard. */
export type SignInResult = { ok: true; user: UserView } | { ok: false; message: string };

const UNREACHABLE = 'Cannot reach the Tether server. Check the network connection and try again.';

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** The signed-in user when the session cookie is still valid, else null. */
export async function fetchCurrentUser(): Promise<UserView | null> {
  try {
    const response = await fetch('/api/session', { credentials: 'same-origin' });
    if (!response.ok) return null;

    const body = SignInResponse.safeParse(await readJson(response));
    if (!body.success) log.warn('unexpected GET /api/session body');

    return body.success ? body.data.user : null;
  } catch {
    return null;
  }
}

/** POST /api/session. The server sets the HttpOnly cookie; the password is never kept. */
export async function signIn(username: string, password: string): Promise<SignInResult> {
  let response: Response;
  try {
    response = await fetch('/api/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    return { ok: false, message: UNREACHABLE };
  }

  const raw = await readJson(response);
  if (response.ok) {
    const body = SignInResponse.safeParse(raw);
    if (body.success) return { ok: true, user: body.data.user };

    log.warn('unexpected POST /api/session body');
    return { ok: false, message: 'The server sent an answer the console does not understand.' };
  }

  const error = ErrorBody.safeParse(raw);
  if (error.success) return { ok: false, message: error.data.message };

  return { ok: false, message: `Sign-in failed (HTTP ${response.status}). Try again.` };
}

/** DELETE /api/session. Failure is ignored: the console forgets the user either way. */
export async function signOut(): Promise<void> {
  try {
    await fetch('/api/session', { method: 'DELETE', credentials: 'same-origin' });
  } catch {
    log.warn('sign-out request failed; the cookie expires on its own');
  }
}
