import type { IncomingMessage } from 'node:http';
import { TetherError } from '../../shared/errors.ts';
import { audienceOf, requireRole, routeAction } from '../auth/permissions.ts';
import type { WebSession, WebSessionStore } from '../auth/web-sessions.ts';

const sessions = new WeakMap<IncomingMessage, WebSession>();

/**
 * The HTTP side of the permission table, run for every API request before its handler:
 * finds who is signed in, refuses in words whoever the table does not allow, and leaves
 * the session where the handler finds it (`sessionOf`). A route without a row is refused.
 */
export function httpAccess(webSessions: WebSessionStore) {
  return async (req: IncomingMessage, method: string, pattern: string): Promise<void> => {
    const action = routeAction(method, pattern);
    const audience = audienceOf(action);
    if (audience === 'anyone') return;
    if (audience === undefined) {
      throw new TetherError('forbidden', 'This is not allowed: no permission rule covers it.');
    }

    const cookie = req.headers.cookie;
    const session = await webSessions.resolveForSetup(cookie);
    if (!session) throw new TetherError('unauthenticated', 'You are not signed in.');
    if (session.setupRequired && audience !== 'setup') {
      throw new TetherError(
        'forbidden',
        'Set up two-factor sign-in first: administrators can do nothing else until then.',
      );
    }

    requireRole(action, session.user.role);
    sessions.set(req, session);
  };
}

/** The session `httpAccess` found for this request; only for routes that need sign-in. */
export function sessionOf(req: IncomingMessage): WebSession {
  const session = sessions.get(req);
  if (!session) throw new Error('sessionOf() on a request that was not checked for sign-in');
  return session;
}
