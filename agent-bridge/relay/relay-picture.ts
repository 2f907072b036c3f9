import { createHash } from 'node:crypto';
import wrtc from '@roamhq/wrtc';
import { RELAY_CHANNELS, type RelayChannel } from '../../shared/relay/protocol.ts';
import { JpegEncoder } from '../desktop/jpeg-encoder.ts';
import type { Frame } from '../desktop/types.ts';
import type { Logger } from '../log.ts';

/** The part of the relay's pipe the picture uses. */
export interface PicturePipe {
  send(channel: RelayChannel, message: Uint8Array): void;
  readonly bufferedAmount: number;
}

export interface RelayPictureOptions {
  pipe: PicturePipe;
  /** Whether the session views a display now; no picture is sent otherwise. */
  viewing: () => boolean;
  log: Logger;
  /** Pictures per second at most; default 15. */
  maxFps?: number;
}

/**
 * Bytes the relay may still hold unsent before a new picture is left out. Pictures are
 * only ever replaced by newer ones, so waiting here costs frame rate, never delay.
 */
const HIGH_WATER = 256 * 1024;
/**
 * A picture identical to the last one sent is left out, except once this often, so that a
 * still screen costs almost nothing on the relay and the console still sees it is live.
 */
const UNCHANGED_REFRESH_MS = 1_000;
/** Encoder deaths in a row after which the picture is given up for this session. */
const MAX_ENCODER_FAILURES = 3;

/**
 * The screen over the encrypted relay: takes the frames of the session's desktop track
 * (the same capture WebRTC peers get, through a wrtc video sink), encodes one at a time
 * to JPEG and sends each whole picture on the relay's picture channel. A frame is left
 * out while the previous one is still being encoded or the relay is behind, so the
 * frame rate adapts to the path and the picture the technician sees is never stale by
 * more than one frame; and while the screen stands still, so that it costs almost nothing.
 */
export class RelayPicture {
  readonly #options: RelayPictureOptions;
  readonly #log: Logger;
  readonly #encoder: JpegEncoder;
  readonly #minGapMs: number;
  #sink: { stop(): void } | undefined;
  #lastAt = 0;
  #lastDigest = '';
  #failures = 0;
  #sent = 0;
  #closed = false;

  constructor(options: RelayPictureOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#minGapMs = 1000 / (options.maxFps ?? 15);
    this.#encoder = new JpegEncoder({
      log: this.#log,
      onPicture: (jpeg) => this.#onPicture(jpeg),
      onFailed: (reason) => this.#onEncoderFailed(reason),
    });
  }

  /** Follows `track` from now on (the session moved to another display). */
  follow(track: MediaStreamTrack): void {
    if (this.#closed) return;

    this.#sink?.stop();
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    const onFrame = (event: { frame: Frame }): void => this.#onFrame(event.frame);
    sink.onframe = onFrame as typeof sink.onframe;
    this.#sink = sink;
  }

  /** Stops the sink and the encoder. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink?.stop();
    this.#sink = undefined;
    this.#encoder.close();
    if (this.#sent > 0) this.#log.info({ pictures: this.#sent }, 'relay picture stopped');
  }

  #onFrame(frame: Frame): void {
    if (this.#closed || this.#failures >= MAX_ENCODER_FAILURES) return;
    if (!this.#options.viewing() || this.#encoder.busy) return;
    if (this.#options.pipe.bufferedAmount > HIGH_WATER) return;
    const now = performance.now();
    if (now - this.#lastAt < this.#minGapMs) return;

    const digest = createHash('sha1').update(frame.data).digest('hex');
    if (digest === this.#lastDigest && now - this.#lastAt < UNCHANGED_REFRESH_MS) return;

    this.#lastAt = now;
    this.#lastDigest = digest;
    // The sink reuses its buffer for the next frame; the encoder's pipe may write later.
    this.#encoder.encode({ width: frame.width, height: frame.height, data: frame.data.slice() });
  }

  #onPicture(jpeg: Buffer): void {
    if (this.#closed || !this.#options.viewing()) return;

    this.#failures = 0;
    if (this.#sent++ === 0) this.#log.info({ bytes: jpeg.length }, 'first relay picture sent');
    this.#options.pipe.send(RELAY_CHANNELS.picture, jpeg);
  }

  #onEncoderFailed(reason: string): void {
    this.#failures += 1;
    const level = this.#failures >= MAX_ENCODER_FAILURES ? 'warn' : 'debug';
    this.#log[level]({ reason, failures: this.#failures }, 'relay picture encoder failed');
  }
}
