import type { AccessView } from '../../shared/protocol/consent.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy.ts';
import { OneTimeCodes } from './codes.ts';
import { AccessGate } from './gate.ts';
import { RemoteAccessSwitch } from './remote-access.ts';
import { WrongCodeSlowdown } from './slowdown.ts';
import { UnattendedAccess } from './unattended.ts';
import { accessView } from './view.ts';

/** The agent's access parts, made once and shared by the flows and the consent page. */
export interface Access {
  gate: AccessGate;
  codes: OneTimeCodes;
  remoteAccess: RemoteAccessSwitch;
  /** Unattended access: policy's who and when, and the access password's proof. */
  unattended: UnattendedAccess;
  /** What the consent page shows of them. */
  view(): AccessView;
  /** 'on' or 'off', as the server is told. */
  state(): 'on' | 'off';
  stop(): void;
}

/** Makes the access parts from local policy and the switch saved in `dataDir`. */
export function startAccess(options: { policy: Policy; dataDir: string; log: Logger }): Access {
  const { policy, dataDir, log } = options;
  const codes = new OneTimeCodes({ validMinutes: policy.access.oneTimeCodes.validMinutes });
  const slowdown = new WrongCodeSlowdown();
  const remoteAccess = new RemoteAccessSwitch({ dataDir, log });
  // Wrong passwords have their own count: a mistyped code does not slow down the other.
  const unattended = new UnattendedAccess({
    settings: policy.access.unattended,
    dataDir,
    slowdown: new WrongCodeSlowdown(),
    log,
  });
  const gate = new AccessGate({ policy, remoteAccess, codes, slowdown, unattended, log });

  return {
    gate,
    codes,
    remoteAccess,
    unattended,
    view: () => accessView({ policy, remoteAccess, codes, slowdown }),
    state: () => (remoteAccess.isOn ? 'on' : 'off'),
    stop: () => {
      codes.dispose();
      unattended.dispose();
    },
  };
}
