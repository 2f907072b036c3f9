import type { LogLine } from '../../shared/logs.ts';
import { MAX_MESSAGE_CHARS } from '../../shared/protocol/common.ts';
import type { AgentToConsoleChannel } from '../../shared/protocol/channel.ts';
import type { LogHub } from '../logs/hub.ts';
import type { Logger } from '../log.ts';

/** The side of a data channel the stream writes to. */
export interface ChannelSink {
  send(message: AgentToConsoleChannel): void;
  /** Bytes queued in the channel and not yet sent. */
  bufferedAmount(): number;
}

export interface LogStreamOptions {
  hub: LogHub;
  sink: ChannelSink;
  log: Logger;
  /** How often queued lines are sent, in ms. */
  intervalMs?: number;
  /** The channel is left alone while it holds more than this many bytes. */
  highWaterBytes?: number;
  /** Lines held while the channel is full; the oldest are dropped beyond this. */
  maxQueuedLines?: number;
}

const MAX_BATCH_LINES = 200;
// Each batch must stay under the console's message limit, with room for the envelope.
const MAX_BATCH_CHARS = MAX_MESSAGE_CHARS - 1024;

/**
 * Streams log lines to one console: the requested backlog first, then every new line,
 * in `logs.lines` batches (at most 200 lines, under the message size limit) every
 * ~100 ms. While the channel is backed up the lines wait in a bounded queue; when even
 * that overflows the oldest are dropped, which the console sees as a gap in `seq`.
 */
export class LogStream {
  readonly #hub: LogHub;
  readonly #sink: ChannelSink;
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #highWater: number;
  readonly #maxQueued: number;
  #queue: LogLine[] = [];
  #timer: NodeJS.Timeout | undefined;
  #dropped = 0;
  readonly #onLine = (line: LogLine) => this.#enqueue(line);

  constructor(options: LogStreamOptions) {
    this.#hub = options.hub;
    this.#sink = options.sink;
    this.#log = options.log;
    this.#intervalMs = options.intervalMs ?? 100;
    this.#highWater = options.highWaterBytes ?? 1024 * 1024;
    this.#maxQueued = options.maxQueuedLines ?? 20_000;
  }

  get subscribed(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Starts (or restarts) the stream with `backlog` recent lines; or, with `after`, with
   * every held line after that `seq` (the console resumes on a new path and already has
   * the rest).
   */
  subscribe(backlog: number, after?: number): void {
    this.unsubscribe();

    this.#queue =
      after === undefined || after < 0 ? this.#hub.recent(backlog) : this.#hub.since(after).lines;
    this.#hub.on('line', this.#onLine);
    this.#timer = setInterval(() => this.flush(), this.#intervalMs);
    this.flush();
  }

  unsubscribe(): void {
    if (this.#timer === undefined) return;

    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#hub.off('line', this.#onLine);
    this.#queue = [];
  }

  /** Sends queued lines until the queue is empty or the channel is full. */
  flush(): void {
    while (this.#queue.length > 0 && this.#sink.bufferedAmount() <= this.#highWater) {
      const lines = this.#takeBatch();
      this.#sink.send({ type: 'logs.lines', lines });
    }

    if (this.#queue.length === 0 && this.#dropped > 0) {
      this.#log.warn({ dropped: this.#dropped }, 'log lines dropped while the console caught up');
      this.#dropped = 0;
    }
  }

  #takeBatch(): LogLine[] {
    let chars = 0;
    let count = 0;
    for (const line of this.#queue) {
      // Rough JSON size: the text plus the fixed fields. Lines are at most 4000 chars.
      const size = line.text.length * 2 + line.source.length + 120;
      if (count > 0 && (count >= MAX_BATCH_LINES || chars + size > MAX_BATCH_CHARS)) break;
      chars += size;
      count += 1;
    }

    return this.#queue.splice(0, count);
  }

  #enqueue(line: LogLine): void {
    this.#queue.push(line);
    if (this.#queue.length <= this.#maxQueued) return;

    const excess = this.#queue.length - this.#maxQueued;
    this.#queue.splice(0, excess);
    this.#dropped += excess;
  }
}
