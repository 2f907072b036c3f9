import type { Frame } from './types.ts';

/**
 * Cuts a byte stream of raw I420 frames (as ffmpeg writes them to a pipe, in chunks of
 * any size) into whole frames. A frame that arrives inside one chunk is handed on
 * without a copy; one that spans chunks is assembled in a buffer of its own.
 */
export class FrameCutter {
  readonly #width: number;
  readonly #height: number;
  readonly #frameBytes: number;
  readonly #onFrame: (frame: Frame) => void;
  #partial: Buffer | undefined;
  #filled = 0;

  constructor(width: number, height: number, onFrame: (frame: Frame) => void) {
    if (width % 2 !== 0 || height % 2 !== 0) {
      throw new RangeError(`I420 needs an even width and height, not ${width}x${height}.`);
    }
    this.#width = width;
    this.#height = height;
    this.#frameBytes = (width * height * 3) / 2;
    this.#onFrame = onFrame;
  }

  get frameBytes(): number {
    return this.#frameBytes;
  }

  push(chunk: Buffer): void {
    let offset = 0;

    if (this.#partial) {
      offset = this.#fill(chunk, 0);
      if (this.#filled < this.#frameBytes) return;
      this.#emit(this.#partial);
      this.#partial = undefined;
    }

    while (chunk.length - offset >= this.#frameBytes) {
      this.#emit(chunk.subarray(offset, offset + this.#frameBytes));
      offset += this.#frameBytes;
    }

    if (offset < chunk.length) {
      this.#partial = Buffer.allocUnsafe(this.#frameBytes);
      this.#filled = 0;
      this.#fill(chunk, offset);
    }
  }

  /** Copies from `chunk` into the partial frame; returns the offset after what it took. */
  #fill(chunk: Buffer, offset: number): number {
    const partial = this.#partial as Buffer;
    const take = Math.min(this.#frameBytes - this.#filled, chunk.length - offset);
    chunk.copy(partial, this.#filled, offset, offset + take);
    this.#filled += take;

    return offset + take;
  }

  #emit(data: Uint8Array): void {
    this.#onFrame({ width: this.#width, height: this.#height, data });
  }
}
