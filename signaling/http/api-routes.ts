import type { IncomingMessage } from 'node:http';
import {
  ChallengeRequest,
  CodeSignInRequest,
  EnrolRequest,
  SignInRequest,
  type AccountState,
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
import { sessionOf } from './access.ts';
import { readBody, sendJson } from './respond.ts';
import { Router } from './router.ts';

export interface ApiDeps {
  signIn: SignInService;
  webSessions: WebSessionStore;
  enrolment: EnrolmentService;
  challenges: ChallengeStore;
  audit: AuditLedger;
  /** Whether the session cookie carries `Secure` (the server is reached over TLS). */
  secureCookie: boolean;
  /** Called after a sign-out so that the session's open sockets can be dropped. */
  onSignOut(tokenHash: string): void;
  log: Logger;
}

/**
 * The HTTP API: web sign-in (password, then a code where two-factor sign-in is on) and
 * sign-out, agent enrolment and challenges, health.
 */
export function apiRoutes(deps: ApiDeps): Router {
  const { signIn, webSessions, enrolment, challenges, audit, log } = deps;
  const cookie = (value: string, maxAgeS?: number): string =>
    sessionCookie(value, { maxAgeS, secure: deps.secureCookie });

  return new Router()
    .add('POST', '/api/session', async (req, res) => {
      const outcome = await signIn.signIn(await readBody(req, SignInRequest), clientAddress(req));
      if (outcome.step === 'code_required') {
        const reply: SignInResponse = outcome;
        return sendJson(res, 200, reply);
      }
      const reply: SignInResponse = { step: 'signed_in', ...outcome.account };
      sendJson(res, 200, reply, { 'Set-Cookie': cookie(outcome.cookie) });
    })
    .add('POST', '/api/session/code', async (req, res) => {
      const body = await readBody(req, CodeSignInRequest);
      const { account, cookie: value } = await signIn.signInWithCode(body, clientAddress(req));
      const reply: SignInResponse = { step: 'signed_in', ...account };
      sendJson(res, 200, reply, { 'Set-Cookie': cookie(value) });
    })
    .add('GET', '/api/session', async (req, res) => {
      const session = sessionOf(req);
      const reply: AccountState = {
        user: session.user,
        twoFactor: session.twoFactor,
        setupRequired: session.setupRequired,
      };
      sendJson(res, 200, reply);
    })
    .add('DELETE', '/api/session', async (req, res) => {
      const session = await webSessions.resolveForSetup(req.headers.cookie);
      const tokenHash = await webSessions.revokeByCookie(req.headers.cookie);
      if (tokenHash) deps.onSignOut(tokenHash);
      if (session) {
        await audit.append({ actor: `user:${session.user.id}`, action: 'signout' });
        log.info({ userId: session.user.id }, 'signed out');
      }
      sendJson(res, 200, { ok: true }, { 'Set-Cookie': cookie('', 0) });
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
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
