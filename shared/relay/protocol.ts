import { z } from 'zod';
import { ErrorCode } from '../errors.ts';
import { Id } from '../protocol/common.ts';

/**
 * The last rung of the connectivity ladder: the console and the agent each open a
 * socket.io connection on this namespace of the signaling server (the console with its
 * session cookie, the agent with a signed challenge) and exchange end-to-end encrypted
 * frames that the server forwards without being able to read them.
 *
 * The handshake travels as JSON on the `msg` event; the frames as binary on `frame`.
 * The receiving end tells the server how many frames it has taken on `took`, a few at a
 * time rather than one message per frame, and the server passes the count on to the
 * sender. That count is the back-pressure: a sender keeps at most `RELAY_WINDOW` frames
 * not yet taken, and the server cuts off a sender that keeps more.
 */
export const RELAY_NAMESPACE = '/relay';

/**
 * The relay has a socket.io server of its own at this path, on the same port: its own
 * WebSocket, apart from the console's and the agent's messages, and its own message
 * limit, sized to its frames (the other namespaces keep their smaller one).
 */
export const RELAY_PATH = '/socket.io-relay';

/** socket.io event of the encrypted frames (binary payload, no per-frame reply). */
export const RELAY_FRAME_EVENT = 'frame';

/**
 * socket.io event of the acknowledgements: a whole number of frames the receiving end
 * took since its last one, oldest first. Receiver to server, then server to sender.
 */
export const RELAY_TOOK_EVENT = 'took';

/**
 * Largest frame on the wire, header and tag included. Large, so that each frame's fixed
 * costs (two socket.io packets, a GCM call, the forwarding, its acknowledgement) are
 * spread over many bytes: measured on the transport bench, 64 KiB frames cost about 1.7
 * times the CPU per byte of 512 KiB ones. A frame is only this large when this much
 * waits to be sent; a lone message goes at its own size.
 */
export const MAX_RELAY_FRAME_BYTES = 512 * 1024;

/**
 * Frames a sender may have not yet taken (2 MiB at most); the server refuses a sender
 * that sends more.
 */
export const RELAY_WINDOW = 4;

/** Whether a `took` payload is a count the wire allows (the sender checks it against its window). */
export function isTookCount(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= RELAY_WINDOW * 2;
}

/** A public key or signature in standard base64. */
const Base64 = z
  .string()
  .min(40)
  .max(200)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'not base64');

/** Console and agent to the server on the relay namespace. */
export const RelayClientToServer = z.discriminatedUnion('type', [
  /**
   * The console asks for the relay with its ephemeral ECDH public key (raw P-256 point).
   * Acknowledged with the agent's enrolled identity key (`RelayOpenAck`).
   */
  z.object({ type: z.literal('relay.open'), sessionId: Id, consoleKey: Base64 }),
  /**
   * The agent answers with its own ephemeral key and its Ed25519 signature over the
   * transcript (`relayTranscript`), which proves the key is the enrolled agent's.
   */
  z.object({
    type: z.literal('relay.join'),
    sessionId: Id,
    agentKey: Base64,
    signature: Base64,
  }),
]);
export type RelayClientToServer = z.infer<typeof RelayClientToServer>;

/** The server to the console or the agent on the relay namespace. */
export const RelayServerToClient = z.discriminatedUnion('type', [
  /** To the console: the agent's key and signature, as the agent sent them. */
  z.object({
    type: z.literal('relay.accept'),
    sessionId: Id,
    agentKey: Base64,
    signature: Base64,
  }),
  /** The relay is over: the session ended, or the other side went away. In words. */
  z.object({ type: z.literal('relay.closed'), sessionId: Id, message: z.string().max(500) }),
]);
export type RelayServerToClient = z.infer<typeof RelayServerToClient>;

const Refusal = z.object({ ok: z.literal(false), code: ErrorCode, message: z.string().max(1000) });

/** The acknowledgement of `relay.open`: the agent's enrolled Ed25519 key, raw, in base64. */
export const RelayOpenAck = z.union([
  z.object({ ok: z.literal(true), identityKey: Base64 }),
  Refusal,
]);
export type RelayOpenAck = z.infer<typeof RelayOpenAck>;

/** The acknowledgement of `relay.join`. */
export const RelayAck = z.union([z.object({ ok: z.literal(true) }), Refusal]);
export type RelayAck = z.infer<typeof RelayAck>;

/**
 * Server to agent on its `/agent` namespace: a console asks for the relay. The agent
 * then connects to the relay namespace and answers with `relay.join`.
 */
export const RelayRequest = z.object({
  type: z.literal('relay.open'),
  sessionId: Id,
  consoleKey: Base64,
});
export type RelayRequest = z.infer<typeof RelayRequest>;

/** The logical channels inside the encrypted stream. */
export const RELAY_CHANNELS = {
  /** The session's main channel: `shared/protocol/channel.ts` messages as JSON. */
  main: 0,
  /** The ordered input channel: `shared/protocol/desktop.ts` input messages as JSON. */
  input: 1,
  /**
   * The screen, agent to console: each message is one whole JPEG picture of the viewed
   * display. WebRTC's video track cannot cross the relay, so the agent encodes stills and
   * sends the next only when the relay has taken the last: the frame rate follows the
   * path instead of a queue growing behind it.
   */
  picture: 2,
} as const;
export type RelayChannel = (typeof RELAY_CHANNELS)[keyof typeof RELAY_CHANNELS];

/** Whether a byte read off the wire names one of the channels. */
export function isRelayChannel(value: number | undefined): value is RelayChannel {
  return Object.values(RELAY_CHANNELS).includes(value as RelayChannel);
}

/** Largest picture message: a 1920x1080 JPEG of a busy screen stays well under it. */
export const MAX_PICTURE_BYTES = 4 * 1024 * 1024;
