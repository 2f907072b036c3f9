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

/**
 * A frame's plaintext is one or more records, each a piece of one message: the channel,
 * flags (bit 0: more pieces of this message follow) and the piece's length (32-bit, big
 * endian), then the piece. Several small messages waiting together share one frame, so
 * a busy relay pays its per-frame costs once per large frame rather than once per message.
 */
const HEADER_BYTES = 6;
const MORE = 1;
const MAX_PLAINTEXT = MAX_RELAY_FRAME_BYTES - FRAME_OVERHEAD;
const MAX_FRAGMENT = MAX_PLAINTEXT - HEADER_BYTES;
/** A reassembled JSON message may not grow past this (the longest one, in UTF-8). */
const MAX_MESSAGE_BYTES = MAX_MESSAGE_CHARS * 4;
/** Bytes waiting to be sent; a sender that outruns the relay this far is failing. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/**
 * A receiver says which frames it took once they hold this many bytes or half a window
 * of frames: a stream of large frames is acknowledged frame by frame, so that the sender
 * never waits on a batch, and a stream of small ones in batches, so that acknowledgements
 * do not outnumber frames.
 */
const TOOK_BYTES = 64 * 1024;
/** Frames taken short of a batch are reported once this long passes without more. */
const TOOK_DELAY_MS = 5;

export interface RelayEndpointOptions {
  keys: RelayKeys;
  /** Puts one sealed frame on the wire; `acknowledged` reports when the other end took it. */
  emit(frame: Uint8Array): void;
  /** Tells the other end, through the server, that this end took `count` more frames. */
  took(count: number): void;
  /** One whole message arrived on `channel`. */
  deliver(channel: RelayChannel, message: Uint8Array): void;
  /** The relay cannot go on; called once, with words for the person at the console. */
  failed(error: TetherError): void;
  /** Frames in flight at most; the server's limit by default. */
  window?: number;
}

/**
 * One end of the relay's encrypted stream: splits messages into frames, seals them in
 * order and keeps at most `window` not yet taken by the other end; opens frames strictly
 * in order, joins fragments back into messages per channel, and says how many it took
 * (each large frame at once, small ones in batches or once the stream pauses). Any failure
 * (a frame altered, replayed or reordered, a count of frames never sent, a message too
 * long, a sender too far behind) ends the endpoint once, through `failed`.
 */
export class RelayEndpoint {
  readonly #options: RelayEndpointOptions;
  readonly #sealer: FrameSealer;
  readonly #opener: FrameOpener;
  readonly #window: number;
  /** Records waiting for the window, header included. */
  readonly #queue: Uint8Array[] = [];
  readonly #partial = new Map<RelayChannel, Uint8Array[]>();
  /** Plaintext sizes of the frames on the wire and not yet taken, oldest first. */
  readonly #inFlight: number[] = [];
  #queuedBytes = 0;
  #inFlightBytes = 0;
  /** Frames counted in flight and being sealed and emitted, one after another. */
  #sending: Promise<void> = Promise.resolve();
  /** Frames being opened and taken, one after another. */
  #receiving: Promise<void> = Promise.resolve();
  /** Frames opened here and not yet reported to the other end. */
  #taken = 0;
  #takenBytes = 0;
  #tookTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(options: RelayEndpointOptions) {
    this.#options = options;
    this.#sealer = new FrameSealer(options.keys.send);
    this.#opener = new FrameOpener(options.keys.receive);
    this.#window = options.window ?? RELAY_WINDOW;
  }

  /** Bytes given to `send` and not yet taken by the other end, for a sender's back-pressure. */
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

  /**
   * Sends one message on `channel`, split into as many records as it needs. The bytes are
   * copied: the caller may reuse `message` at once.
   */
  send(channel: RelayChannel, message: Uint8Array): void {
    if (this.#closed) return;

    for (let offset = 0; offset === 0 || offset < message.length; offset += MAX_FRAGMENT) {
      const chunk = message.subarray(offset, offset + MAX_FRAGMENT);
      const last = offset + MAX_FRAGMENT >= message.length;
      const record = new Uint8Array(HEADER_BYTES + chunk.length);
      const header = new DataView(record.buffer);
      header.setUint8(0, channel);
      header.setUint8(1, last ? 0 : MORE);
      header.setUint32(2, chunk.length);
      record.set(chunk, HEADER_BYTES);
      this.#queue.push(record);
      this.#queuedBytes += record.length;
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
    this.#pump();
  }

  /** One frame from the other end, in the order the server delivered them. */
  receive(frame: Uint8Array): void {
    if (this.#closed) return;

    this.#receiving = this.#receiving.then(async () => {
      if (this.#closed) return;
      try {
        this.#take(await this.#opener.open(frame));
        this.#tookOne(frame.length);
      } catch (error) {
        this.#fail(asTetherError(error));
      }
    });
  }

  /**
   * Counts one frame taken. Frames are taken only once opened, so a receiver slower than
   * the wire holds the sender back instead of piling frames up in front of itself.
   */
  #tookOne(bytes: number): void {
    this.#taken += 1;
    this.#takenBytes += bytes;
    if (this.#takenBytes >= TOOK_BYTES || this.#taken >= Math.max(1, this.#window / 2)) {
      this.#reportTaken();
      return;
    }
    this.#tookTimer ??= setTimeout(() => this.#reportTaken(), TOOK_DELAY_MS);
  }

  #reportTaken(): void {
    clearTimeout(this.#tookTimer);
    this.#tookTimer = undefined;
    if (this.#closed || this.#taken === 0) return;

    const count = this.#taken;
    this.#taken = 0;
    this.#takenBytes = 0;
    this.#options.took(count);
  }

  /**
   * The other end took the `count` oldest frames in flight (the server passed its `took`
   * on). A count beyond what is in flight is a broken or lying peer, and ends the relay.
   */
  acknowledged(count: unknown): void {
    if (this.#closed) return;
    if (!Number.isInteger(count) || (count as number) < 1) {
      this.#fail(new TetherError('bad_request', 'The relay acknowledged frames oddly.'));
      return;
    }
    if ((count as number) > this.#inFlight.length) {
      this.#fail(
        new TetherError(
          'bad_request',
          'The relay acknowledged more frames than were sent; the relay was ended.',
        ),
      );
      return;
    }
    for (const bytes of this.#inFlight.splice(0, count as number)) this.#inFlightBytes -= bytes;
    this.#pump();
  }

  /** Stops sending and receiving; nothing is reported. Idempotent. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#tookTimer);
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#partial.clear();
  }

  /**
   * Takes frames off the queue while the window has room; each is sealed and emitted
   * after the one before it. Records that wait for the window share the next frame.
   */
  #pump(): void {
    while (!this.#closed && this.#inFlight.length < this.#window && this.#queue.length > 0) {
      const plaintext = this.#nextPlaintext();
      this.#inFlight.push(plaintext.length);
      this.#inFlightBytes += plaintext.length;

      this.#sending = this.#sending.then(async () => {
        try {
          const frame = await this.#sealer.seal(plaintext);
          if (!this.#closed) this.#options.emit(frame);
        } catch (error) {
          this.#fail(asTetherError(error));
        }
      });
    }
  }

  /** As many queued records as fit in one frame, oldest first, taken off the queue. */
  #nextPlaintext(): Uint8Array {
    const records = [this.#queue.shift() as Uint8Array];
    let length = (records[0] as Uint8Array).length;
    while (
      this.#queue.length > 0 &&
      length + (this.#queue[0] as Uint8Array).length <= MAX_PLAINTEXT
    ) {
      const record = this.#queue.shift() as Uint8Array;
      records.push(record);
      length += record.length;
    }
    this.#queuedBytes -= length;
    return records.length === 1 ? (records[0] as Uint8Array) : join(records, length);
  }

  /** Takes every record of one opened frame, in order. */
  #take(plaintext: Uint8Array): void {
    const view = new DataView(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
    let offset = 0;
    do {
      if (offset + HEADER_BYTES > plaintext.length) throw malformed();
      const length = view.getUint32(offset + 2);
      const end = offset + HEADER_BYTES + length;
      if (end > plaintext.length) throw malformed();

      this.#record(
        view.getUint8(offset),
        (view.getUint8(offset + 1) & MORE) !== 0,
        plaintext.subarray(offset + HEADER_BYTES, end),
      );
      offset = end;
    } while (offset < plaintext.length);
  }

  /** One piece of a message: kept until its last piece, then the message is delivered. */
  #record(channel: number, more: boolean, piece: Uint8Array): void {
    if (!isRelayChannel(channel)) {
      throw new TetherError('bad_request', `A relay frame named an unknown channel (${channel}).`);
    }
    const parts = this.#partial.get(channel) ?? [];
    parts.push(piece);

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

/** A frame that opened (so its sender holds the key) but whose records do not add up. */
function malformed(): TetherError {
  return new TetherError('bad_request', 'A relay frame was malformed; the relay was ended.');
}

function asTetherError(error: unknown): TetherError {
  if (error instanceof TetherError) return error;
  return new TetherError('internal', `The relay failed: ${String(error)}`.slice(0, 500));
}
