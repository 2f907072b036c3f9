import type { Capability } from '../../shared/capabilities.ts';
import type { AccessView, ConsentState } from '../../shared/protocol/consent.ts';
import type { UpdateView } from '../../shared/software.ts';
import type { SessionRegistry } from '../session/registry.ts';

export interface ConsentContext {
  facilityName: string;
  agentId: string | null;
  agentName: string;
  online: boolean;
  /** What a new session's consent card has ticked at first (policy `grantedByDefault`). */
  grantedByDefault: readonly Capability[];
  /** Whether a session is looking at the screen right now. */
  viewing: (sessionId: string) => boolean;
  /** Software and licence deliveries to show, if the agent delivers any. */
  updates?: () => UpdateView[];
  /** The Remote access switch, the policy's ways in, and the live one-time code. */
  access: AccessView;
  /** Whether a one-time code started this running session. */
  startedByCode: (sessionId: string) => boolean;
  /** Whether the access password started it, unattended. */
  startedUnattended?: (sessionId: string) => boolean;
}

const ACTIVE_STATES = ['approved', 'connecting', 'active', 'reconnecting'] as const;
type ActiveState = (typeof ACTIVE_STATES)[number];

/** The whole picture the consent page shows, built fresh for every change. */
export function buildConsentState(
  registry: SessionRegistry,
  context: ConsentContext,
): ConsentState {
  return {
    type: 'consent.state',
    facility: { name: context.facilityName },
    agent: { id: context.agentId, name: context.agentName, online: context.online },
    pending: [
      ...registry.pending().map((s) => ({
        kind: 'session' as const,
        sessionId: s.id,
        technician: s.technician,
        reason: s.reason,
        requested: s.requested,
        grantable: s.grantable,
        preselected: s.grantable.filter((c) => context.grantedByDefault.includes(c)),
        requestedAt: s.requestedAt,
        expiresAt: s.expiresAt,
      })),
      ...registry.capabilityRequests().flatMap((s) => {
        const request = s.capabilityRequest;
        if (!request) return [];
        return [
          {
            kind: 'capability' as const,
            sessionId: s.id,
            technician: s.technician,
            reason: s.reason,
            ...request,
            // The technician asked for exactly these, in a session staff already approved.
            preselected: request.grantable,
          },
        ];
      }),
    ],
    active: registry.open().flatMap((s) => {
      const state = s.machine.state;
      if (!isActiveState(state) || s.approvedAt === null) return [];
      return [
        {
          sessionId: s.id,
          technician: s.technician,
          granted: s.granted,
          state,
          approvedAt: s.approvedAt,
          viewing: s.granted.includes('screen.view') && context.viewing(s.id),
          controlling: s.granted.includes('screen.control'),
          viaCode: context.startedByCode(s.id),
          unattended: context.startedUnattended?.(s.id) ?? false,
        },
      ];
    }),
    recent: registry.recent().map(({ sessionId, technician, outcome, endedAt }) => ({
      sessionId,
      technician,
      outcome,
      endedAt,
    })),
    updates: context.updates?.() ?? [],
    access: context.access,
  };
}

function isActiveState(state: string): state is ActiveState {
  return (ACTIVE_STATES as readonly string[]).includes(state);
}
