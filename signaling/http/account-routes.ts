import {
  TwoFactorConfirmRequest,
  type RecoveryCodesResponse,
  type TwoFactorSetupResponse,
} from '../../shared/protocol/http.ts';
import type { TwoFactorService } from '../auth/two-factor.ts';
import { toAccountState, type UserStore } from '../auth/users.ts';
import { sessionOf } from './access.ts';
import { clientAddress } from './api-routes.ts';
import { readBody, sendJson } from './respond.ts';
import { Router } from './router.ts';

/**
 * The signed-in person's own account: setting up two-factor sign-in. An administrator
 * without it reaches only these (and sign-out) until it is done.
 */
export function accountRoutes(deps: { twoFactor: TwoFactorService; users: UserStore }): Router {
  const { twoFactor, users } = deps;

  return new Router()
    .add('POST', '/api/account/two-factor/setup', async (req, res) => {
      req.resume();
      const reply: TwoFactorSetupResponse = await twoFactor.beginSetup(sessionOf(req).user);
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/account/two-factor/confirm', async (req, res) => {
      const { user } = sessionOf(req);
      const { code } = await readBody(req, TwoFactorConfirmRequest);
      const recoveryCodes = await twoFactor.confirmSetup(user, code, clientAddress(req));

      const row = await users.findById(user.id);
      if (!row) throw new Error('the account vanished while turning on two-factor sign-in');
      const reply: RecoveryCodesResponse = { recoveryCodes, account: toAccountState(row) };
      sendJson(res, 200, reply);
    });
}
