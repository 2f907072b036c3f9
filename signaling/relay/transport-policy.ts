import type { ServerToAgent } from '../../shared/protocol/agent.ts';
import type { ServerToConsole } from '../../shared/protocol/console.ts';

/** How sessions may connect, as the server's operator configured it. */
export interface TransportPolicy {
  /** False: WebRTC is not allowed, every session runs on the encrypted relay. */
  webrtc: boolean;
  /** How long the console waits for WebRTC before it asks for the relay, in ms. */
  relayAfterMs: number;
}

/**
 * Three seconds: a direct path comes up in well under one and TURN in under two here, and a
 * WebRTC path that connects after the relay opened still takes the session over.
 */
export const DEFAULT_TRANSPORT_POLICY: TransportPolicy = { webrtc: true, relayAfterMs: 3_000 };

/** Adds the policy to a session.connect for the console; other messages pass unchanged. */
export function consoleConnect(message: ServerToConsole, policy: TransportPolicy): ServerToConsole {
  if (message.type !== 'session.connect') return message;
  return { ...message, webrtc: policy.webrtc, relayAfterMs: policy.relayAfterMs };
}

/** Adds the policy to a session.connect for the agent; other messages pass unchanged. */
export function agentConnect(message: ServerToAgent, policy: TransportPolicy): ServerToAgent {
  if (message.type !== 'session.connect') return message;
  return { ...message, webrtc: policy.webrtc };
}
