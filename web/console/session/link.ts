import type {
  AgentToConsoleChannel,
  ConsoleToAgentChannel,
} from '../../../shared/protocol/channel.ts';
import type { InputMessage, InputReply } from '../../../shared/protocol/desktop.ts';
import type { IceServer, IceTransportPolicy, SignalData } from '../../../shared/protocol/signal.ts';
import type { ConnectionPath, StatsReport } from './connection-path.ts';

/**
 * What a path to the agent (a WebRTC peer or the encrypted relay) tells the session's
 * connection. Nothing is reported after the path's `destroy()`.
 */
export interface LinkEvents {
  /** The path carries the session's channels now. */
  connected(): void;
  message(message: AgentToConsoleChannel): void;
  roundTrip(ms: number): void;
  /** Bits per second received on this path, measured over the last few seconds. */
  bitrate(bitsPerSecond: number): void;
  path(path: ConnectionPath): void;
  /** The agent's screen as a media stream (its frames flow only while viewing). */
  stream(stream: MediaStream): void;
  inputReply(reply: InputReply): void;
  /** The path closed or failed without `destroy()` being called; `detail` in words. */
  lost(detail: string): void;
}

/** A WebRTC path also trades signalling data with the agent, through the server. */
export interface PeerLinkEvents extends LinkEvents {
  /** Signalling data for the agent, already checked against the shared schema. */
  signal(data: SignalData): void;
}

/** One path to the agent, as the session's connection uses it. */
export interface PathLink {
  /** Whether the path carries messages now. */
  readonly connected: boolean;
  send(message: ConsoleToAgentChannel): void;
  sendInput(message: InputMessage): void;
  stats(): Promise<StatsReport[] | null>;
  /** Closes the path; no event follows. Idempotent. */
  destroy(): void;
}

export interface PeerPathLink extends PathLink {
  signal(data: SignalData): void;
}

/** How the connection makes its paths: PeerLink and RelayLink, or stand-ins in unit tests. */
export interface LinkMakers {
  peer(iceServers: IceServer[], policy: IceTransportPolicy, events: PeerLinkEvents): PeerPathLink;
  relay(sessionId: string, events: LinkEvents): PathLink;
}
