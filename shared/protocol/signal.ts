import { z } from 'zod';

/**
 * WebRTC signalling data as simple-peer produces it, forwarded unchanged between the
 * console and the agent. Each form is checked so that nothing else rides along.
 */
export const SignalData = z.discriminatedUnion('type', [
  z.object({ type: z.literal('offer'), sdp: z.string().max(60_000) }),
  z.object({ type: z.literal('answer'), sdp: z.string().max(60_000) }),
  z.object({ type: z.literal('pranswer'), sdp: z.string().max(60_000) }),
  z.object({ type: z.literal('rollback'), sdp: z.string().max(60_000).optional() }),
  z.object({
    type: z.literal('candidate'),
    candidate: z.object({
      candidate: z.string().max(1000),
      sdpMLineIndex: z.number().int().nonnegative().nullable().optional(),
      sdpMid: z.string().max(100).nullable().optional(),
      usernameFragment: z.string().max(256).nullable().optional(),
    }),
  }),
  z.object({ type: z.literal('renegotiate'), renegotiate: z.literal(true) }),
  z.object({
    type: z.literal('transceiverRequest'),
    transceiverRequest: z.object({
      kind: z.enum(['audio', 'video']),
      init: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
]);
export type SignalData = z.infer<typeof SignalData>;

/** ICE servers handed to each peer by the signaling server. Passed explicitly, never defaulted. */
export const IceServer = z.object({
  urls: z.union([z.string().max(300), z.array(z.string().max(300)).max(10)]),
  username: z.string().max(300).optional(),
  credential: z.string().max(300).optional(),
});
export type IceServer = z.infer<typeof IceServer>;

/**
 * Which WebRTC attempt of a session a signal or connect belongs to. The server counts
 * them from 0 at approval and adds one each time a path is rebuilt (after a network drop,
 * or to try WebRTC again while the relay carries the session); a signal for another
 * attempt than a peer's own is left out, so an old peer's late answer never reaches a
 * new one.
 */
export const Attempt = z.number().int().min(0).max(1_000_000);

/** `relay` makes a peer use TURN candidates only, as RTCConfiguration.iceTransportPolicy. */
export const IceTransportPolicy = z.enum(['all', 'relay']);
export type IceTransportPolicy = z.infer<typeof IceTransportPolicy>;
