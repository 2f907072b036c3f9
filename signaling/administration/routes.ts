import {
  CreateAccountRequest,
  CreateFacilityRequest,
  CreateTokenRequest,
  type AccountList,
  type AccountResponse,
  type AdminAgentList,
  type AdminAgentResponse,
  type CreateAccountResponse,
  type CreateTokenResponse,
  type FacilityList,
  type FacilityResponse,
} from '../../shared/protocol/admin.ts';
import { sessionOf } from '../http/access.ts';
import { readBody, sendJson } from '../http/respond.ts';
import { Router, type RouteParams } from '../http/router.ts';
import type { AccountAdmin } from './accounts.ts';
import type { AgentAdmin } from './agents.ts';

/**
 * The Administration area's API. The permission table lets administrators only; each
 * handler takes the administrator from the checked session, for the audit ledger.
 */
export function adminRoutes(deps: { accounts: AccountAdmin; agents: AgentAdmin }): Router {
  const { accounts, agents } = deps;
  const id = (params: RouteParams): string => params.id ?? '';

  return new Router()
    .add('GET', '/api/admin/users', async (_req, res) => {
      const reply: AccountList = { accounts: await accounts.list() };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/users', async (req, res) => {
      const body = await readBody(req, CreateAccountRequest);
      const reply: CreateAccountResponse = await accounts.create(sessionOf(req).user, body);
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/users/:id/disable', async (req, res, params) => {
      req.resume();
      const reply: AccountResponse = {
        account: await accounts.disable(sessionOf(req).user, id(params)),
      };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/users/:id/enable', async (req, res, params) => {
      req.resume();
      const reply: AccountResponse = {
        account: await accounts.enable(sessionOf(req).user, id(params)),
      };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/users/:id/reset-two-factor', async (req, res, params) => {
      req.resume();
      const reply: AccountResponse = {
        account: await accounts.resetTwoFactor(sessionOf(req).user, id(params)),
      };
      sendJson(res, 200, reply);
    })
    .add('GET', '/api/admin/facilities', async (_req, res) => {
      const reply: FacilityList = { facilities: await agents.listFacilities() };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/facilities', async (req, res) => {
      const { name } = await readBody(req, CreateFacilityRequest);
      const reply: FacilityResponse = {
        facility: await agents.createFacility(sessionOf(req).user, name),
      };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/enrolment-tokens', async (req, res) => {
      const { facilityId, validHours } = await readBody(req, CreateTokenRequest);
      const reply: CreateTokenResponse = await agents.createToken(
        sessionOf(req).user,
        facilityId,
        validHours,
      );
      sendJson(res, 200, reply);
    })
    .add('GET', '/api/admin/agents', async (_req, res) => {
      const reply: AdminAgentList = { agents: await agents.listAgents() };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/admin/agents/:id/revoke', async (req, res, params) => {
      req.resume();
      const reply: AdminAgentResponse = {
        agent: await agents.revoke(sessionOf(req).user, id(params)),
      };
      sendJson(res, 200, reply);
    });
}
