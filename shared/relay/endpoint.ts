import { TetherError } from '../errors.ts';
import { MAX_MESSAGE_CHARS } from '../protocol/common.ts';
import { fromUtf8, utf8 } from './bytes.ts';
import { FRAME_OVERHEAD, FrameOpener, FrameSealer, type RelayKeys } from './crypto.ts';
import {
  isRelayChannel,
  MAX_PICTURE_BYTES,
  MAX_RELAY_FRAME_BYTES,
  RELAY_CHANNELS,
  RELAY_WINDOW,
  type RelayChannel,
} from './protocol.ts';

/** Plaintext header: the channel, then flags (bit 0: more fragments of this message follow). */
const HEADER_BYTES = 2;
const MORE = 1;
const MAX_FRAGMENT = MAX_RELAY_FRAME_BYTES - FRAME_OVERHEAD - HEADER_BYTES;
/** A reassembled JSON message may not grow past this (the longest one, in UTF-8). */
const MAX_MESSAGE_BYTES = MAX_MESSAGE_CHARS * 4;
/** Bytes waiting to be sent; a sender that outruns the relay this far is failing. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export interface RelayEndpointOptions {
  keys: RelayKeys;
  /**
   * Puts one sealed frame on the wire. Resolves once the server acknowledged it (the
   * other side took it); rejects, in words, when the server refused it.
   */
  emit(frame: Uint8Array): Promise<void>;
  /** One whole message arrived on `channel`. */
  deliver(channel: RelayChannel, message: Uint8Array): void;
  /** The relay cannot go on; called once, with words for the person at the console. */
  failed(error: TetherError): void;
  /** Frames in flight at most; the server's limit by default. */
  window?: number;
}

interface Fragment {
  plaintext: Uint8Array;
  bytes: number;
}

/**
 * One end of the relay's encrypted stream: splits messages into frames, seals them in
 * order and keeps at most `window` unacknowledged; opens frames strictly in order and
 * joins fragments back into messages per channel. Any failure (a frame refused,
 * altered, replayed or reordered, a message too long, a sender too far behind) ends
 * the endpoint once, through `failed`.
 */
export class RelayEndpoint {
  readonly #options: RelayEndpointOptions;
  readonly #sealer: FrameSealer;
  readonly #opener: FrameOpener;
  readonly #window: number;
  readonly #queue: Fragment[] = [];
  readonly #partial = new Map<RelayChannel, Uint8Array[]>();
  #queuedBytes = 0;
  #inFlight = 0;
  #inFlightBytes = 0;
  #pumping = false;
  #receiving: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: RelayEndpointOptions) {
    this.#options = options;
    this.#sealer = new FrameSealer(options.keys.send);
    this.#opener = new FrameOpener(options.keys.receive);
    this.#window = options.window ?? RELAY_WINDOW;
  }

  /** Bytes given to `send` and not yet acknowledged, for a sender's back-pressure. */
  get bufferedAmount(): number {
    return this.#queuedBytes + this.#inFlightBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends one text message on `channel`. */
  sendText(channel: RelayChannel, text: string): void {
    this.send(channel, utf8(text));
  }

  /** Sends one message on `channel`, split into as many frames as it needs. */
  send(channel: RelayChannel, message: Uint8Array): void {
    if (this.#closed) return;

    for (let offset = 0; offset === 0 || offset < message.length; offset += MAX_FRAGMENT) {
      const chunk = message.subarray(offset, offset + MAX_FRAGMENT);
      const last = offset + MAX_FRAGMENT >= message.length;
      const plaintext = new Uint8Array(HEADER_BYTES + chunk.length);
      plaintext[0] = channel;
      plaintext[1] = last ? 0 : MORE;
      plaintext.set(chunk, HEADER_BYTES);
      this.#queue.push({ plaintext, bytes: plaintext.length });
      this.#queuedBytes += plaintext.length;
    }
    if (this.#queuedBytes > MAX_QUEUED_BYTES) {
      this.#fail(
        new TetherError(
          'rate_limited',
          'The relay could not keep up with the session; it was ended.',
        ),
      );
      return;
    }
    void this.#pump();
  }

  /** One frame from the other end, in the order the server delivered them. */
  receive(frame: Uint8Array): void {
    if (this.#closed) return;

    this.#receiving = this.#receiving.then(async () => {
      if (this.#closed) return;
      try {
        this.#take(await this.#opener.open(frame));
      } catch (error) {
        this.#fail(asTetherError(error));
      }
    });
  }

  /** Stops sending and receiving; nothing is reported. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#partial.clear();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed && this.#inFlight < this.#window && this.#queue.length > 0) {
        const fragment = this.#queue.shift() as Fragment;
        this.#queuedBytes -= fragment.bytes;
        const frame = await this.#sealer.seal(fragment.plaintext);
        if (this.#closed) return;

        this.#inFlight += 1;
        this.#inFlightBytes += fragment.bytes;
        this.#options.emit(frame).then(
          () => this.#acknowledged(fragment.bytes),
          (error: unknown) => this.#fail(asTetherError(error)),
        );
      }
    } finally {
      this.#pumping = false;
    }
  }

  #acknowledged(bytes: number): void {
    this.#inFlight -= 1;
    this.#inFlightBytes -= bytes;
    void this.#pump();
  }

  #take(plaintext: Uint8Array): void {
    const channel = plaintext[0];
    if (!isRelayChannel(channel)) {
      throw new TetherError('bad_request', `A relay frame named an unknown channel (${channel}).`);
    }
    const more = ((plaintext[1] ?? 0) & MORE) !== 0;
    const parts = this.#partial.get(channel) ?? [];
    parts.push(plaintext.subarray(HEADER_BYTES));

    const length = parts.reduce((sum, part) => sum + part.length, 0);
    const limit = channel === RELAY_CHANNELS.picture ? MAX_PICTURE_BYTES : MAX_MESSAGE_BYTES;
    if (length > limit) {
      throw new TetherError(
        'message_too_large',
        'A relay message was too long; the relay was ended.',
      );
    }
    if (more) {
      this.#partial.set(channel, parts);
      return;
    }

    this.#partial.delete(channel);
    this.#options.deliver(
      channel,
      parts.length === 1 ? (parts[0] as Uint8Array) : join(parts, length),
    );
  }

  #fail(error: TetherError): void {
    if (this.#closed) return;
    this.close();
    this.#options.failed(error);
  }
}

/** Decodes a delivered message as text; null when it is not UTF-8. */
export function relayText(message: Uint8Array): string | null {
  try {
    return fromUtf8(message);
  } catch {
    return null;
  }
}

function join(parts: Uint8Array[], length: number): Uint8Array {
  const whole = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.length;
  }
  return whole;
}

function asTetherError(error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  return new TetherError('internal', `The relay failed: ${String(error)}`.slice(0, 500));
}
