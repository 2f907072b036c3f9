import type { AgentToConsoleChannel } from '../../../shared/protocol/channel.ts';
import type { InputReply } from '../../../shared/protocol/desktop.ts';
import type { ConnectionPath } from './connection-path.ts';

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
