import { appendFileSync, existsSync, statSync, truncateSync } from 'node:fs';
import { CHUNK_BYTES } from '../../shared/software.ts';

export interface DownloadOptions {
  /** The staging file; what it already holds is kept and the download resumes after it. */
  path: string;
  /** The signed size of the package. */
  total: number;
  /** Asks the server for bytes; false when the link is down (the request was not sent). */
  request(offset: number, length: number): boolean;
  onProgress(fraction: number): void;
  /** Chunk requests in flight at once: the back-pressure window. Default 4. */
  window?: number;
  /** With requests out and nothing back for this long, ask again. Default 15 s. */
  stallMs?: number;
}

/**
 * Downloads one package over the agent socket, chunk by chunk, into a staging file that
 * only ever grows by whole, in-order chunks, so its size is always what the agent has.
 * At most `window` requests are in flight; each answer frees a slot. When the link drops,
 * `resume()` after reconnecting asks again from the staging file's size: bytes already
 * here are never fetched twice.
 */
export class ChunkedDownload {
  readonly #options: DownloadOptions;
  readonly #window: number;
  readonly #inflight = new Set<number>();
  readonly #early = new Map<number, Buffer>();
  #have = 0;
  #next = 0;
  #stall: NodeJS.Timeout | undefined;
  #settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  /** Where each run (the first and every resume) started, for logs and tests. */
  readonly starts: number[] = [];

  constructor(options: DownloadOptions) {
    this.#options = options;
    this.#window = options.window ?? 4;
  }

  /** Resolves once the staging file holds all `total` bytes. */
  run(): Promise<void> {
    const done = new Promise<void>((resolve, reject) => (this.#settle = { resolve, reject }));
    this.resume();
    return done;
  }

  /** (Re)starts requesting from what the staging file holds. */
  resume(): void {
    const { path, total } = this.#options;
    const size = existsSync(path) ? statSync(path).size : 0;
    if (size > total) truncateSync(path, 0);
    this.#have = size > total ? 0 : size;
    this.#next = this.#have;
    this.#inflight.clear();
    this.#early.clear();
    this.starts.push(this.#have);

    if (this.#have === total) return this.#finish();
    this.#options.onProgress(this.#have / total);
    this.#fill();
  }

  /** One answer from the server. Answers to requests not in flight are ignored. */
  accept(offset: number, data: Buffer): void {
    if (!this.#inflight.delete(offset)) return;
    if (data.length === 0) {
      return this.#fail('The server sent no bytes where the package should continue.');
    }

    this.#early.set(offset, data);
    for (let chunk = this.#early.get(this.#have); chunk; chunk = this.#early.get(this.#have)) {
      this.#early.delete(this.#have);
      appendFileSync(this.#options.path, chunk.subarray(0, this.#options.total - this.#have));
      this.#have = Math.min(this.#options.total, this.#have + chunk.length);
    }

    this.#options.onProgress(this.#have / this.#options.total);
    if (this.#have >= this.#options.total) return this.#finish();
    this.#fill();
  }

  /** Gives up: the server cannot serve the package, or the job was stopped. */
  abort(reason: string): void {
    this.#fail(reason);
  }

  #fill(): void {
    clearTimeout(this.#stall);
    const { total } = this.#options;
    while (this.#inflight.size < this.#window && this.#next < total) {
      const length = Math.min(CHUNK_BYTES, total - this.#next);
      if (!this.#options.request(this.#next, length)) break;
      this.#inflight.add(this.#next);
      this.#next += length;
    }
    if (this.#inflight.size > 0) {
      this.#stall = setTimeout(() => this.resume(), this.#options.stallMs ?? 15_000);
      this.#stall.unref();
    }
  }

  #finish(): void {
    clearTimeout(this.#stall);
    this.#settle?.resolve();
    this.#settle = undefined;
  }

  #fail(reason: string): void {
    clearTimeout(this.#stall);
    this.#inflight.clear();
    this.#settle?.reject(new Error(reason));
    this.#settle = undefined;
  }
}
