import { z } from 'zod';
import { Capability } from '../capabilities.ts';
import { Device } from '../devices.ts';
import { ErrorCode } from '../errors.ts';
import { EndReason } from '../session-machine.ts';
import { ServiceAck, ServiceReport } from '../service-data.ts';
import {
  ChunkRequest,
  SoftwareChunk,
  SoftwareOffer,
  SoftwareReport,
  SoftwareUnavailable,
} from '../software.ts';
import { RelayRequest } from '../relay/protocol.ts';
import { Id, IsoTime, Person } from './common.ts';
import { PakeMessage } from '../access-password.ts';
import { OneTimeCode, UnattendedStart } from './console.ts';
import { Attempt, IceServer, IceTransportPolicy, SignalData } from './signal.ts';
import { FacilityView } from './views.ts';

/**
 * The agent-bridge and the signaling server talk on the `/agent` namespace, after the
 * agent proved its key in the handshake (see `AgentAuth`). Event name: `msg`.
 */
export const AGENT_NAMESPACE = '/agent';

export const AgentToServer = z.discriminatedUnion('type', [
  /** The facility's devices, sent on connect and whenever one changes. */
  z.object({ type: z.literal('agent.inventory'), devices: z.array(Device).max(500) }),
  /**
   * The consent page's Remote access switch, sent on connect and whenever staff flip it.
   * The agent enforces it; the server only shows it in the fleet.
   */
  z.object({ type: z.literal('agent.access'), remoteAccess: z.enum(['on', 'off']) }),
  /** Facility staff approved; `capabilities` is what they granted. */
  z.object({
    type: z.literal('session.approve'),
    sessionId: Id,
    capabilities: z.array(Capability).min(1).max(10),
    /** True when a one-time code staff made approved it, without a prompt. */
    oneTimeCode: z.boolean().optional(),
    /** True when the access password approved it, with nobody asked at the facility. */
    unattended: z.boolean().optional(),
  }),
  /** The agent's challenge in the access password exchange, for the technician's browser. */
  z.object({ type: z.literal('unattended.challenge'), sessionId: Id, ke2: PakeMessage }),
  /** Facility staff said no, or nobody answered in time, or policy refused. */
  z.object({
    type: z.literal('session.deny'),
    sessionId: Id,
    reason: z.enum(['denied', 'consent_timeout']),
    detail: z.string().max(500).optional(),
  }),
  /** A path to the console (WebRTC or the relay) is up: the session is active. */
  z.object({ type: z.literal('session.connected'), sessionId: Id }),
  /**
   * After its link to the server came back: for each session both still hold, whether
   * the agent's path to the console survived the drop. If not, the server starts a new
   * attempt.
   */
  z.object({ type: z.literal('session.resume'), sessionId: Id, connected: z.boolean() }),
  /** The facility ended the session, or it failed on the agent's side. */
  z.object({
    type: z.literal('session.end'),
    sessionId: Id,
    reason: z.enum(['ended_by_facility', 'failed']),
    detail: z.string().max(500).optional(),
  }),
  z.object({
    type: z.literal('signal'),
    sessionId: Id,
    attempt: Attempt,
    data: SignalData,
    /** With a description: the agent's signature over its DTLS fingerprints (sdp-proof.ts). */
    proof: z.string().max(120).optional(),
  }),
  /** The session's capabilities changed: staff granted a request, or took one back. */
  z.object({
    type: z.literal('capability.grant'),
    sessionId: Id,
    granted: z.array(Capability).max(10),
    /** The capabilities this change answers, when it answers a request. */
    requested: z.array(Capability).max(10),
  }),
  /** Staff said no to a capability request, or nobody answered in time. */
  z.object({
    type: z.literal('capability.deny'),
    sessionId: Id,
    requested: z.array(Capability).min(1).max(10),
    reason: z.enum(['denied', 'consent_timeout']),
    detail: z.string().max(500).optional(),
  }),
  /** Device health and events for the fleet dashboard; answered with `service.ack`. */
  ServiceReport,
  /** The next bytes of a package the agent is downloading (see shared/software.ts). */
  ChunkRequest,
  /** One step of a software or licence delivery: approval, download, install, outcome. */
  SoftwareReport,
]);
export type AgentToServer = z.infer<typeof AgentToServer>;

export const ServerToAgent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    agentId: Id,
    facility: FacilityView,
    /** Sessions the server still considers open for this agent, e.g. after a reconnect. */
    openSessionIds: z.array(Id).max(100),
    /** How long running sessions wait for a broken path to come back (server setting). */
    reconnectGraceSeconds: z.number().int().min(1).max(3600).optional(),
    /** Base64 of the server's Ed25519 release public key; the agent pins the first it sees. */
    releaseKey: z.string().min(40).max(60).optional(),
    /**
     * The server's signature, with that key, over the agent's nonce from this connection's
     * handshake (serverProofPayload): the agent checks it against the key it pinned.
     */
    serverProof: z.string().min(40).max(200).optional(),
  }),
  /** A technician asks for a session; the agent decides by policy and staff consent. */
  z.object({
    type: z.literal('session.request'),
    sessionId: Id,
    technician: Person,
    capabilities: z.array(Capability).min(1).max(10),
    reason: z.string().max(500),
    requestedAt: IsoTime,
    /** The one-time code the technician entered, if any, for the agent to check. */
    code: OneTimeCode.optional(),
    /** An unattended request: the access password exchange's first message. */
    unattended: UnattendedStart.optional(),
  }),
  /** The browser's answer to the agent's challenge; none when the password was wrong. */
  z.object({ type: z.literal('unattended.finish'), sessionId: Id, ke3: PakeMessage.optional() }),
  /** Sent with the approval's confirmation: how the agent should reach the browser. */
  z.object({
    type: z.literal('session.connect'),
    sessionId: Id,
    attempt: Attempt,
    iceServers: z.array(IceServer).max(10),
    /** Absent means 'all'. */
    iceTransportPolicy: IceTransportPolicy.optional(),
    /** False: the server forbids WebRTC; the console will ask for the relay instead. */
    webrtc: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('session.ended'),
    sessionId: Id,
    reason: EndReason,
    detail: z.string().max(500).nullable(),
  }),
  z.object({ type: z.literal('signal'), sessionId: Id, attempt: Attempt, data: SignalData }),
  /** The technician asks for more capabilities in a running session. */
  z.object({
    type: z.literal('capability.request'),
    sessionId: Id,
    capabilities: z.array(Capability).min(1).max(10),
  }),
  z.object({
    type: z.literal('error'),
    code: ErrorCode,
    message: z.string().max(1000),
    sessionId: Id.optional(),
  }),
  /** The server stored a service report; the agent drops it from its outbox. */
  ServiceAck,
  /** A signed package or licence for some of the agent's devices, for staff to approve. */
  SoftwareOffer,
  SoftwareChunk,
  SoftwareUnavailable,
  /** A console asks for the encrypted relay (see shared/relay/protocol.ts). */
  RelayRequest,
]);
export type ServerToAgent = z.infer<typeof ServerToAgent>;
