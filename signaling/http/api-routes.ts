import type { IncomingMessage } from 'node:http';
import { TetherError } from '../../shared/errors.ts';
import {
  ChallengeRequest,
  EnrolRequest,
  SignInRequest,
  type ChallengeResponse,
  type EnrolResponse,
  type SignInResponse,
} from '../../shared/protocol/http.ts';
import type { EnrolmentService } from '../agents/enrolment.ts';
import type { ChallengeStore } from '../agents/challenges.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import { sessionCookie } from '../auth/cookie.ts';
import type { SignInService } from '../auth/sign-in.ts';
import type { WebSessionStore } from '../auth/web-sessions.ts';
import type { Logger } from '../log.ts';
import { readBody, sendJson } from './respond.ts';
import { Router } from './router.ts';

export interface ApiDeps {
  signIn: SignInService;
  webSessions: WebSessionStore;
  enrolment: EnrolmentService;
  challenges: ChallengeStore;
  audit: AuditLedger;
  /** Called after a sign-out so that the session's open sockets can be dropped. */
  onSignOut(tokenHash: string): void;
  log: Logger;
}

/** The HTTP API: web sign-in and sign-out, agent enrolment and challenges, health. */
export function apiRoutes(deps: ApiDeps): Router {
  const { signIn, webSessions, enrolment, challenges, audit, log } = deps;

  return new Router()
    .add('POST', '/api/session', async (req, res) => {
      const body = await readBody(req, SignInRequest);
      const { user, cookie } = await signIn.signIn(body, clientAddress(req));
      const reply: SignInResponse = { user };
      sendJson(res, 200, reply, { 'Set-Cookie': sessionCookie(cookie) });
    })
    .add('GET', '/api/session', async (req, res) => {
      const session = await webSessions.resolve(req.headers.cookie);
      if (!session) throw new TetherError('unauthenticated', 'You are not signed in.');
      const reply: SignInResponse = { user: session.user };
      sendJson(res, 200, reply);
    })
    .add('DELETE', '/api/session', async (req, res) => {
      const session = await webSessions.resolve(req.headers.cookie);
      const tokenHash = await webSessions.revokeByCookie(req.headers.cookie);
      if (tokenHash) deps.onSignOut(tokenHash);
      if (session) {
        await audit.append({ actor: `user:${session.user.id}`, action: 'signout' });
        log.info({ userId: session.user.id }, 'signed out');
      }
      sendJson(res, 200, { ok: true }, { 'Set-Cookie': sessionCookie('', 0) });
    })
    .add('POST', '/api/agents/enrol', async (req, res) => {
      const reply: EnrolResponse = await enrolment.enrol(await readBody(req, EnrolRequest));
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/agents/challenge', async (req, res) => {
      const { agentId } = await readBody(req, ChallengeRequest);
      const reply: ChallengeResponse = challenges.issue(agentId);
      sendJson(res, 200, reply);
    })
    .add('GET', '/healthz', async (_req, res) => {
      sendJson(res, 200, { ok: true });
    });
}

/**
 * The peer address of the connection. Proxy headers are ignored on purpose: behind a
 * load balancer every client then shares one throttle key, which is safe but coarse.
 */
function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
