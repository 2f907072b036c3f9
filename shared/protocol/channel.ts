import { z } from 'zod';
import { Capability } from '../capabilities.ts';
import { Device } from '../devices.ts';
import { ErrorCode } from '../errors.ts';
import { LogLine, LogSource } from '../logs.ts';
import { Id } from './common.ts';
import { DesktopRequest, DesktopStatus } from './desktop.ts';

/**
 * Messages on the session's WebRTC data channel between the console and the agent.
 * Sent as JSON strings; each side validates with `parseMessage` on arrival.
 */
export const ConsoleToAgentChannel = z.discriminatedUnion('type', [
  /**
   * Start the log stream: `backlog` recent lines first, then every new line. With
   * `after`, the console already holds every line up to that `seq` (it is resuming on a
   * new path): the agent sends the lines after it from its buffer instead, and says with
   * `logs.missed` how many it no longer had.
   */
  z.object({
    type: z.literal('logs.subscribe'),
    backlog: z.number().int().min(0).max(5000),
    after: z.number().int().min(-1).optional(),
  }),
  z.object({ type: z.literal('logs.unsubscribe') }),
  z.object({ type: z.literal('ping'), t: z.number() }),
  z.object({ type: z.literal('pong'), t: z.number() }),
  ...DesktopRequest.options,
]);
export type ConsoleToAgentChannel = z.infer<typeof ConsoleToAgentChannel>;

export const AgentToConsoleChannel = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    sessionId: Id,
    granted: z.array(Capability).max(10),
    devices: z.array(Device).max(500),
    sources: z.array(LogSource).max(500),
  }),
  /** Lines in `seq` order; batched so that a burst costs few messages. */
  z.object({ type: z.literal('logs.lines'), lines: z.array(LogLine).max(500) }),
  /** Lines the console missed while its path was down that the agent no longer holds. */
  z.object({ type: z.literal('logs.missed'), count: z.number().int().min(1) }),
  /** The list of sources changed (a file appeared in the drop folder, say). */
  z.object({ type: z.literal('logs.sources'), sources: z.array(LogSource).max(500) }),
  z.object({ type: z.literal('devices'), devices: z.array(Device).max(500) }),
  /** What this session may do now, after staff granted or took back a capability. */
  z.object({ type: z.literal('granted'), granted: z.array(Capability).max(10) }),
  DesktopStatus,
  z.object({ type: z.literal('ping'), t: z.number() }),
  z.object({ type: z.literal('pong'), t: z.number() }),
  z.object({ type: z.literal('error'), code: ErrorCode, message: z.string().max(1000) }),
]);
export type AgentToConsoleChannel = z.infer<typeof AgentToConsoleChannel>;

/** Label of the data channel that carries these messages. */
export const SESSION_CHANNEL_LABEL = 'tether';
