import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../log.ts';
import { findExecutable, lastLine } from './run.ts';
import type { Frame } from './types.ts';

export interface JpegEncoderOptions {
  /** JPEG quality as ffmpeg's mjpeg scale: 2 (best) to 31 (smallest). */
  quality?: number;
  log: Logger;
  /** One whole JPEG picture, in the order the frames went in. */
  onPicture(jpeg: Buffer): void;
  /** The encoder stopped by itself; `reason` is in words. Not called after `close()`. */
  onFailed(reason: string): void;
}

type Encoder = ChildProcessByStdio<Writable, Readable, Readable>;

/**
 * Turns raw I420 frames into JPEG pictures with one long-lived ffmpeg process (mjpeg
 * into a pipe), so the picture can travel where a WebRTC video track cannot. ffmpeg
 * writes each picture as soon as its frame is in, so one frame in flight costs a few
 * tens of milliseconds at 1280x720. A change of size starts a new process. `busy` is
 * true from `encode()` until that frame's picture is out: a caller that waits for it
 * never builds a queue.
 */
export class JpegEncoder {
  readonly #options: JpegEncoderOptions;
  readonly #ffmpeg: string;
  #child: Encoder | undefined;
  #size = '';
  #pending = 0;
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;

  constructor(options: JpegEncoderOptions) {
    this.#options = options;
    this.#ffmpeg = findExecutable('ffmpeg') ?? 'ffmpeg';
  }

  get busy(): boolean {
    return this.#pending > 0;
  }

  /** Encodes one frame; its picture comes out through `onPicture`. */
  encode(frame: Frame): void {
    if (this.#closed) return;

    const size = `${frame.width}x${frame.height}`;
    if (size !== this.#size) this.#start(size);
    this.#pending += 1;
    this.#child?.stdin.write(frame.data);
  }

  /** Ends the process; nothing is reported after this. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#stop();
  }

  #start(size: string): void {
    this.#stop();
    this.#size = size;
    const args = [
      ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
      ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-video_size', size, '-i', '-'],
      ...['-threads', '1', '-c:v', 'mjpeg', '-q:v', String(this.#options.quality ?? 7)],
      ...['-f', 'image2pipe', '-'],
    ];
    const child = spawn(this.#ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    this.#child = child;

    child.stdout.on('data', (chunk: Buffer) => this.#take(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    // A write after the process ended is reported through 'exit' below.
    child.stdin.on('error', () => undefined);
    child.once('error', (error) => this.#ended(child, `ffmpeg could not start: ${error.message}`));
    child.once('exit', (code, signal) =>
      this.#ended(child, lastLine(stderr) || `ffmpeg ended (${signal ?? `exit code ${code}`})`),
    );
    this.#options.log.debug({ pid: child.pid, size }, 'jpeg encoder started');
  }

  #stop(): void {
    const child = this.#child;
    this.#child = undefined;
    this.#size = '';
    this.#pending = 0;
    this.#buffer = Buffer.alloc(0);
    if (!child) return;

    child.stdin.end();
    child.kill('SIGTERM');
  }

  #ended(child: Encoder, reason: string): void {
    if (this.#child !== child || this.#closed) return;

    this.#stop();
    this.#options.onFailed(`The picture encoder stopped: ${reason}`);
  }

  /**
   * Cuts ffmpeg's output at each JPEG end marker. Inside the compressed data a 0xFF byte
   * is always followed by 0x00 or a restart marker, so FF D9 only ever ends a picture.
   */
  #take(chunk: Buffer): void {
    let data = this.#buffer.length > 0 ? Buffer.concat([this.#buffer, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const end = data.indexOf(EOI, Math.max(from, 0));
      if (end < 0) break;

      const picture = data.subarray(from, end + 2);
      from = end + 2;
      this.#pending = Math.max(0, this.#pending - 1);
      this.#options.onPicture(Buffer.from(picture));
    }
    data = data.subarray(from);
    this.#buffer = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
  }
}

/** The JPEG end-of-image marker. */
const EOI = Buffer.from([0xff, 0xd9]);
