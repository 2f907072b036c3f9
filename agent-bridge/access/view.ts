import { IMPLEMENTED_CAPABILITIES, type Capability } from '../../shared/capabilities.ts';
import type { AccessView } from '../../shared/protocol/consent.ts';
import type { Policy } from '../policy.ts';
import type { OneTimeCodes } from './codes.ts';
import type { RemoteAccessSwitch } from './remote-access.ts';
import type { WrongCodeSlowdown } from './slowdown.ts';

/** The parts that decide access, as the consent page needs to see them. */
export interface AccessParts {
  policy: Policy;
  remoteAccess: RemoteAccessSwitch;
  codes: OneTimeCodes;
  slowdown: WrongCodeSlowdown;
}

/** How sessions may start here right now, for the consent page. */
export function accessView(parts: AccessParts): AccessView {
  const { policy, remoteAccess, codes, slowdown } = parts;
  const grantable = grantableByPolicy(policy);
  const wait = slowdown.waitMs();

  return {
    remoteAccess: remoteAccess.isOn,
    attended: policy.access.attended,
    oneTimeCodes: {
      enabled: policy.access.oneTimeCodes.enabled,
      validMinutes: policy.access.oneTimeCodes.validMinutes,
      grantable,
      preselected: policy.grantedByDefault.filter((c) => grantable.includes(c)),
    },
    code: codes.live(),
    codesRefusedUntil: wait > 0 ? new Date(Date.now() + wait).toISOString() : null,
  };
}

/** What local policy lets staff grant at all, as far as this build can serve it. */
function grantableByPolicy(policy: Policy): Capability[] {
  return policy.allowedCapabilities.filter((c) => IMPLEMENTED_CAPABILITIES.includes(c));
}
