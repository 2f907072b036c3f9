import { z } from 'zod';
import { Capability } from '../capabilities.ts';
import { UpdateDecision, UpdateView } from '../software.ts';
import { Id, IsoTime, Person } from './common.ts';
import { OneTimeCode } from './console.ts';

/**
 * The facility's consent page (served by the agent-bridge on loopback) and the agent
 * talk over socket.io on the default namespace, event `msg`. The agent pushes its
 * whole state on every change; the page sends staff decisions.
 */
export const ConsentToAgent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('consent.approve'),
    sessionId: Id,
    capabilities: z.array(Capability).min(1).max(10),
  }),
  z.object({ type: z.literal('consent.deny'), sessionId: Id }),
  z.object({ type: z.literal('session.end'), sessionId: Id }),
  /** Takes a capability back from a running session (e.g. stops remote control). */
  z.object({ type: z.literal('consent.revoke'), sessionId: Id, capability: Capability }),
  /** Staff answer a software or licence delivery: install now, in a window, or decline. */
  z.object({ type: z.literal('update.answer'), jobId: Id, decision: UpdateDecision }),
  /** Staff make a one-time code good for one session with `capabilities`. */
  z.object({ type: z.literal('code.create'), capabilities: z.array(Capability).min(1).max(10) }),
  /** Staff cancel the live one-time code. */
  z.object({ type: z.literal('code.cancel') }),
  /** The Remote access switch: off refuses every request and code, and ends sessions. */
  z.object({ type: z.literal('remote-access.set'), on: z.boolean() }),
]);
export type ConsentToAgent = z.infer<typeof ConsentToAgent>;

export const PendingRequest = z.object({
  /** A new session, or more capabilities for a session already running. */
  kind: z.enum(['session', 'capability']),
  sessionId: Id,
  technician: Person,
  reason: z.string().max(500),
  requested: z.array(Capability).max(10),
  /** What staff may grant: the request narrowed by local policy. */
  grantable: z.array(Capability).max(10),
  /** Ticked when the card appears; local policy decides (control, say, is never ticked). */
  preselected: z.array(Capability).max(10),
  requestedAt: IsoTime,
  expiresAt: IsoTime,
});
export type PendingRequest = z.infer<typeof PendingRequest>;

export const ActiveSession = z.object({
  sessionId: Id,
  technician: Person,
  granted: z.array(Capability).max(10),
  state: z.enum(['approved', 'connecting', 'active', 'reconnecting']),
  approvedAt: IsoTime,
  /** The technician is looking at the screen right now. */
  viewing: z.boolean(),
  /** The technician may drive mouse and keyboard right now. */
  controlling: z.boolean(),
  /** A one-time code staff made started it, without a prompt. */
  viaCode: z.boolean(),
  /** The facility's access password started it, unattended, without a prompt. */
  unattended: z.boolean().default(false),
});
export type ActiveSession = z.infer<typeof ActiveSession>;

/** How sessions may start here, as the consent page shows it and staff change it. */
export const AccessView = z.object({
  /** The Remote access switch; off, the agent refuses every request and every code. */
  remoteAccess: z.boolean(),
  /** Local policy: staff approve each request on this page. */
  attended: z.boolean(),
  oneTimeCodes: z.object({
    /** Local policy: staff may make one-time codes. */
    enabled: z.boolean(),
    validMinutes: z.number().int().min(1).max(60),
    /** What a code may allow: what local policy allows and this agent can serve. */
    grantable: z.array(Capability).max(10),
    /** Ticked when staff start making a code (policy `grantedByDefault`). */
    preselected: z.array(Capability).max(10),
  }),
  /** The live code, without its digits: only the page that made it shows them. */
  code: z
    .object({ capabilities: z.array(Capability).max(10), createdAt: IsoTime, expiresAt: IsoTime })
    .nullable(),
  /** After repeated wrong codes, codes are refused unchecked until then. */
  codesRefusedUntil: IsoTime.nullable(),
});
export type AccessView = z.infer<typeof AccessView>;

export const ConsentState = z.object({
  type: z.literal('consent.state'),
  facility: z.object({ name: z.string().max(120) }),
  agent: z.object({
    id: Id.nullable(),
    name: z.string().max(120),
    /** Whether the agent is connected to the signaling server right now. */
    online: z.boolean(),
  }),
  pending: z.array(PendingRequest).max(100),
  active: z.array(ActiveSession).max(100),
  /** Recently ended sessions, newest first, so staff see what happened. */
  recent: z
    .array(
      z.object({
        sessionId: Id,
        technician: Person,
        outcome: z.string().max(200),
        endedAt: IsoTime,
      }),
    )
    .max(20),
  /** Software and licence deliveries: waiting for an answer, under way, and recent ones. */
  updates: z.array(UpdateView).max(50),
  access: AccessView,
});
export type ConsentState = z.infer<typeof ConsentState>;

/** One event of the facility's ledger (`audit.jsonl`), as the consent page's Record shows it. */
export const RecordEvent = z.object({
  seq: z.number().int().min(1),
  at: IsoTime,
  /** `staff`, `one-time code`, `technician:<user name>`, `agent` or `system`. */
  actor: z.string().max(200),
  role: z.enum(['staff', 'technician', 'expert', 'agent', 'system']),
  /** Dotted verb: `session.requested`, `consent.approved`, `session.ended`, … */
  action: z.string().max(80),
  session: Id.nullable(),
  capability: z.array(z.string().max(40)).max(20),
  outcome: z.string().max(200).nullable(),
  /** The technician the event was for or by, where the ledger names one. */
  for: Person.nullable(),
  /** Until when an approval or a code holds: `the session ends`, or a time. */
  until: z.string().max(200).nullable(),
  /** Words that came with it: a request's reason, why it was refused or ended. */
  words: z.string().max(500).nullable(),
});
export type RecordEvent = z.infer<typeof RecordEvent>;

/** The most ledger events the Record shows. */
export const RECORD_EVENTS = 50;

/**
 * The facility's own ledger as the Record shows it: where the file is (for IT), whether
 * its chain holds, and its newest events, newest first. Sent on connect and whenever a
 * line is appended.
 */
export const FacilityRecord = z.object({
  type: z.literal('record.state'),
  file: z.string().max(1000),
  check: z.discriminatedUnion('state', [
    z.object({
      state: z.literal('intact'),
      events: z.number().int().min(0),
      checkpoints: z.number().int().min(0),
      /** Events after the last signed checkpoint. */
      unsigned: z.number().int().min(0),
    }),
    /** `line` counts from 1, as an editor shows it. */
    z.object({
      state: z.literal('broken'),
      line: z.number().int().min(1),
      problem: z.string().max(200),
    }),
    /** Nothing was recorded yet, or the file cannot be read (`problem` says why). */
    z.object({ state: z.literal('empty'), problem: z.string().max(300).nullable() }),
  ]),
  events: z.array(RecordEvent).max(RECORD_EVENTS),
});
export type FacilityRecord = z.infer<typeof FacilityRecord>;

export const AgentToConsent = z.discriminatedUnion('type', [
  ConsentState,
  FacilityRecord,
  z.object({ type: z.literal('error'), message: z.string().max(1000) }),
  /**
   * The code staff just made, sent only to the page that asked: the agent keeps no copy
   * of the digits, so they cannot be shown again.
   */
  z.object({
    type: z.literal('code.created'),
    code: OneTimeCode,
    expiresAt: IsoTime,
  }),
]);
export type AgentToConsent = z.infer<typeof AgentToConsent>;
