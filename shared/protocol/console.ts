import { z } from 'zod';
import { PakeMessage } from '../access-password.ts';
import { Capability } from '../capabilities.ts';
import { ErrorCode } from '../errors.ts';
import { JobView } from '../software.ts';
import { Id } from './common.ts';
import { Attempt, IceServer, IceTransportPolicy, SignalData } from './signal.ts';
import { AgentView, SessionView, UserView } from './views.ts';

/**
 * The technician's browser and the signaling server talk on the `/console` namespace.
 * Each direction is one discriminated union, sent as the socket.io event `msg`.
 * Requests that expect an answer carry a socket.io acknowledgement (see `Ack`).
 */
export const CONSOLE_NAMESPACE = '/console';

/**
 * A one-time code staff made on a facility's consent page: 9 digits, without the spaces
 * it is shown with. Only the agent that made it can check it; the server passes it on
 * with the request and keeps no copy.
 */
export const OneTimeCode = z.string().regex(/^\d{9}$/, 'expected the 9 digits of a one-time code');

/** An unattended request's opening: the access password exchange's first message. */
export const UnattendedStart = z.object({ ke1: PakeMessage });

export const ConsoleToServer = z.discriminatedUnion('type', [
  z.object({ type: z.literal('agents.list') }),
  z.object({
    type: z.literal('session.request'),
    agentId: Id,
    capabilities: z.array(Capability).min(1).max(10),
    reason: z.string().trim().max(500),
    /** A one-time code from the facility: the agent then approves without a prompt. */
    code: OneTimeCode.optional(),
    /**
     * Unattended access: the first message of the access password exchange (OPAQUE,
     * see shared/access-password.ts), for the agent. The password itself never leaves
     * the browser.
     */
    unattended: UnattendedStart.optional(),
  }),
  z.object({
    type: z.literal('session.end'),
    sessionId: Id,
    /** Absent means the technician chose to end it; 'failed' when the console's peer failed. */
    reason: z.enum(['ended_by_technician', 'failed']).optional(),
    detail: z.string().max(500).optional(),
  }),
  z.object({ type: z.literal('signal'), sessionId: Id, attempt: Attempt, data: SignalData }),
  /**
   * The console asks for a new WebRTC attempt: `lost` when its path to the agent broke
   * (the session is reconnecting until a path is back), `upgrade` to try WebRTC again
   * while the encrypted relay still carries the session.
   */
  z.object({
    type: z.literal('session.retry'),
    sessionId: Id,
    mode: z.enum(['lost', 'upgrade']),
    detail: z.string().max(500).optional(),
  }),
  /** Asks the facility for more capabilities in a running session (a new consent prompt). */
  z.object({
    type: z.literal('capability.request'),
    sessionId: Id,
    capabilities: z.array(Capability).min(1).max(10),
  }),
  /**
   * The browser's answer to the agent's unattended challenge: the exchange's last
   * message, or none when the password did not open the challenge (a wrong password).
   */
  z.object({ type: z.literal('unattended.finish'), sessionId: Id, ke3: PakeMessage.optional() }),
]);
export type ConsoleToServer = z.infer<typeof ConsoleToServer>;

export const ServerToConsole = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), user: UserView }),
  z.object({ type: z.literal('agents.snapshot'), agents: z.array(AgentView) }),
  z.object({ type: z.literal('agent.update'), agent: AgentView }),
  /** Sent on every state change of a session the user takes part in. */
  z.object({ type: z.literal('session.update'), session: SessionView }),
  /** Sent once a session is approved: how the browser should reach the agent. */
  z.object({
    type: z.literal('session.connect'),
    sessionId: Id,
    attempt: Attempt,
    iceServers: z.array(IceServer).max(10),
    /** Absent means 'all'. */
    iceTransportPolicy: IceTransportPolicy.optional(),
    /** False: the server forbids WebRTC; the session goes straight to the encrypted relay. */
    webrtc: z.boolean().optional(),
    /** How long to wait for a WebRTC path before asking for the relay, in ms. */
    relayAfterMs: z.number().int().min(500).max(120_000).optional(),
  }),
  z.object({
    type: z.literal('signal'),
    sessionId: Id,
    attempt: Attempt,
    data: SignalData,
    /** The agent's signature over a description's DTLS fingerprints, passed on unchanged. */
    proof: z.string().max(120).optional(),
  }),
  /** The agent's challenge for an unattended request, passed on unchanged. */
  z.object({ type: z.literal('unattended.challenge'), sessionId: Id, ke2: PakeMessage }),
  /** The facility's answer to a capability request; on a grant a session.update follows. */
  z.object({
    type: z.literal('capability.answer'),
    sessionId: Id,
    capabilities: z.array(Capability).max(10),
    granted: z.boolean(),
    detail: z.string().max(500).nullable(),
  }),
  z.object({
    type: z.literal('error'),
    code: ErrorCode,
    message: z.string().max(1000),
    sessionId: Id.optional(),
  }),
  /** A software or licence delivery changed: sent to every console on each step. */
  z.object({ type: z.literal('software.job'), job: JobView }),
]);
export type ServerToConsole = z.infer<typeof ServerToConsole>;

/** socket.io event name used for every message on both namespaces. */
export const MESSAGE_EVENT = 'msg';
