import {
  RecoveryCodesResponse,
  TwoFactorSetupResponse,
  type TwoFactorConfirmRequest,
} from '../../../shared/protocol/http.ts';
import { postJson, type Answer } from '../json-api.ts';

/** POST /api/account/two-factor/setup: a new secret and its QR code for the app. */
export function beginTwoFactorSetup(): Promise<Answer<TwoFactorSetupResponse>> {
  return postJson('/api/account/two-factor/setup', {}, TwoFactorSetupResponse);
}

/** POST /api/account/two-factor/confirm: turns it on and brings the recovery codes. */
export function confirmTwoFactor(code: string): Promise<Answer<RecoveryCodesResponse>> {
  const body: TwoFactorConfirmRequest = { code };
  return postJson('/api/account/two-factor/confirm', body, RecoveryCodesResponse);
}
