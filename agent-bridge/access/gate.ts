import type { Capability } from '../../shared/capabilities.ts';
import type { Person } from '../../shared/protocol/common.ts';
import { TetherError } from '../../shared/errors.ts';
import type { Logger } from '../log.ts';
import type { Policy } from '../policy.ts';
import type { CreatedCode, OneTimeCodes } from './codes.ts';
import type { RemoteAccessSwitch } from './remote-access.ts';
import type { WrongCodeSlowdown } from './slowdown.ts';
import type { UnattendedAccess } from './unattended.ts';
import {
  beyondPolicyWords,
  CODE_REFUSALS,
  CODE_REQUIRED,
  CODES_DISABLED,
  codeDoesNotCover,
  REMOTE_ACCESS_OFF,
  waitWords,
} from './words.ts';

/** What the agent does with a session request before anyone at the facility sees it. */
export type Admission =
  /** Refused at once; `detail` is what the technician reads. */
  | { kind: 'refuse'; detail: string }
  /** Put to staff on the consent page, who may grant any part of it. */
  | { kind: 'ask_staff' }
  /** Approved at once by a one-time code staff made, with `granted`. */
  | { kind: 'code'; granted: Capability[] }
  /** Policy lets this technician in unattended now: the access password decides. */
  | { kind: 'unattended'; granted: Capability[] };

export interface AccessGateOptions {
  policy: Policy;
  remoteAccess: RemoteAccessSwitch;
  codes: OneTimeCodes;
  slowdown: WrongCodeSlowdown;
  /** Who may come in unattended, when, and the access password's proof. */
  unattended: UnattendedAccess;
  log: Logger;
}

/**
 * Decides, for each request, whether a session may start and how, in this order: the
 * Remote access switch; local policy (a request for anything it does not allow is
 * refused whole, never narrowed silently); then a one-time code if the request carries
 * one, or staff's approval if the policy allows attended sessions. An unattended request
 * passes the same switch and policy, then the unattended section of the policy.
 */
export class AccessGate {
  readonly #options: AccessGateOptions;

  constructor(options: AccessGateOptions) {
    this.#options = options;
  }

  /** Unattended access, whose password exchange the consent flow runs. */
  get unattended(): UnattendedAccess {
    return this.#options.unattended;
  }

  /** Why the agent refuses a session or capability request, or null when it may go on. */
  refusal(requested: readonly Capability[]): string | null {
    if (!this.#options.remoteAccess.isOn) return REMOTE_ACCESS_OFF;

    return beyondPolicyWords(requested, this.#options.policy.allowedCapabilities);
  }

  /** Decides a new session's request for `requested`, with the code it carries if any. */
  admit(requested: readonly Capability[], code: string | undefined): Admission {
    const refused = this.refusal(requested);
    if (refused) return { kind: 'refuse', detail: refused };

    const { access } = this.#options.policy;
    if (code !== undefined) return this.#redeem(requested, code);
    if (!access.attended) return { kind: 'refuse', detail: CODE_REQUIRED };

    return { kind: 'ask_staff' };
  }

  /**
   * Decides whether `technician` may try the access password for `requested`: the
   * switch and policy as for any request, then who, what and when for unattended access.
   */
  admitUnattended(requested: readonly Capability[], technician: Person): Admission {
    const refused =
      this.refusal(requested) ?? this.#options.unattended.refusal(technician, requested);
    if (refused) return { kind: 'refuse', detail: refused };

    return { kind: 'unattended', granted: [...requested] };
  }

  /** Staff make a one-time code for `capabilities`; refused in words when it cannot be. */
  createCode(capabilities: Capability[]): CreatedCode {
    const { policy, remoteAccess, codes, log } = this.#options;
    if (!policy.access.oneTimeCodes.enabled) {
      throw new TetherError(
        'forbidden',
        "One-time codes are turned off in this computer's policy.",
      );
    }
    if (!remoteAccess.isOn) {
      throw new TetherError(
        'invalid_state',
        'Remote access is switched off. Switch it on before making a code.',
      );
    }
    const outside = beyondPolicyWords(capabilities, policy.allowedCapabilities);
    if (outside) throw new TetherError('capability_not_allowed', outside);

    const created = codes.create(capabilities);
    log.info(
      { capabilities: created.capabilities, expiresAt: created.expiresAt },
      'one-time code made',
    );
    return created;
  }

  #redeem(requested: readonly Capability[], code: string): Admission {
    const { policy, codes, slowdown, log } = this.#options;
    if (!policy.access.oneTimeCodes.enabled) return { kind: 'refuse', detail: CODES_DISABLED };
    const wait = slowdown.waitMs();
    if (wait > 0) {
      log.info({ waitMs: wait }, 'one-time code refused unchecked: wrong codes slow down');
      return { kind: 'refuse', detail: waitWords(wait) };
    }

    const result = codes.redeem(code, requested);
    if (result.ok) {
      slowdown.reset();
      return { kind: 'code', granted: result.granted };
    }
    if (result.reason === 'not_covered') {
      return { kind: 'refuse', detail: codeDoesNotCover(result.missing) };
    }
    if (result.reason === 'wrong') {
      slowdown.wrong();
      log.warn({ wrongInARow: slowdown.wrongCount }, 'wrong one-time code');
    }
    return { kind: 'refuse', detail: CODE_REFUSALS[result.reason] };
  }
}
