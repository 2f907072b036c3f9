import type { CapabilityFlow } from '../consent/capability-flow.ts';
import type { ConsentFlow } from '../consent/flow.ts';
import type { SessionRegistry } from '../session/registry.ts';
import type { OneTimeCodes } from './codes.ts';
import { REMOTE_ACCESS_OFF, REMOTE_ACCESS_SWITCHED_OFF } from './words.ts';

export interface SwitchOffParts {
  codes: OneTimeCodes;
  flow: ConsentFlow;
  capabilities: CapabilityFlow;
  registry: SessionRegistry;
  /** Ends a running session as the facility's doing, telling the server. */
  endByFacility: (sessionId: string, detail: string) => void;
}

/**
 * What "Remote access off" means at once: the live code is cancelled, every request
 * waiting for staff is refused, and every running session ends as ended by the facility.
 * From then on the access gate refuses whatever arrives, until staff switch it on.
 */
export function enforceRemoteAccessOff(parts: SwitchOffParts): void {
  parts.codes.cancel();
  parts.flow.refuseAllPending(REMOTE_ACCESS_OFF);
  parts.capabilities.refuseAllPending(REMOTE_ACCESS_OFF);
  for (const session of parts.registry.open()) {
    parts.endByFacility(session.id, REMOTE_ACCESS_SWITCHED_OFF);
  }
}
