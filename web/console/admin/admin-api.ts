import {
  AccountList,
  AccountResponse,
  AdminAgentList,
  AdminAgentResponse,
  CreateAccountResponse,
  CreateTokenResponse,
  FacilityList,
  FacilityResponse,
  type CreateAccountRequest,
  type CreateFacilityRequest,
  type CreateTokenRequest,
} from '../../../shared/protocol/admin.ts';
import { getJson, postJson, type Answer } from '../json-api.ts';

/** The Administration area's calls; each answer validated, each refusal in words. */

export function fetchAccounts(): Promise<Answer<AccountList>> {
  return getJson('/api/admin/users', AccountList);
}

export function createAccount(body: CreateAccountRequest): Promise<Answer<CreateAccountResponse>> {
  return postJson('/api/admin/users', body, CreateAccountResponse);
}

/** What an administrator can do to an existing account. */
export type AccountAction = 'disable' | 'enable' | 'reset-two-factor';

export function changeAccount(id: string, action: AccountAction): Promise<Answer<AccountResponse>> {
  return postJson(`/api/admin/users/${encodeURIComponent(id)}/${action}`, {}, AccountResponse);
}

export function fetchFacilities(): Promise<Answer<FacilityList>> {
  return getJson('/api/admin/facilities', FacilityList);
}

export function createFacility(body: CreateFacilityRequest): Promise<Answer<FacilityResponse>> {
  return postJson('/api/admin/facilities', body, FacilityResponse);
}

export function createToken(body: CreateTokenRequest): Promise<Answer<CreateTokenResponse>> {
  return postJson('/api/admin/enrolment-tokens', body, CreateTokenResponse);
}

export function fetchAgents(): Promise<Answer<AdminAgentList>> {
  return getJson('/api/admin/agents', AdminAgentList);
}

export function revokeAgent(id: string): Promise<Answer<AdminAgentResponse>> {
  return postJson(`/api/admin/agents/${encodeURIComponent(id)}/revoke`, {}, AdminAgentResponse);
}
