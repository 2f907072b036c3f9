import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { readFirstLine, readNewLines, type ReadPosition } from './file-reader.ts';
import type { LogHub } from './hub.ts';

export interface DropFolderOptions {
  dir: string;
  hub: LogHub;
  log: Logger;
  /** How often sizes are compared; fs.watch misses events on some file systems. */
  pollMs?: number;
  /** Lines of a file's existing content published when the agent starts. */
  initialLines?: number;
  /** Most bytes read from one file per poll, so one huge file cannot stall the others. */
  maxReadBytes?: number;
}

interface FollowedFile extends ReadPosition {
  name: string;
  ino: number;
  /** At start only the tail of a file is wanted: the first read keeps its last lines. */
  tailLines: number | null;
  /**
   * Whether the PHI filter has seen this file's first line. A file whose reading starts
   * past it (a tail at start, a file renamed under a new source) has it read apart, so
   * the header of a delimited export still masks the rows that follow.
   */
  headerSeen: boolean;
}

const TAIL_BYTES = 64 * 1024;
/** Most bytes read for a file's first line when it is read apart. */
const HEADER_BYTES = 16 * 1024;

/**
 * Follows every regular file in the drop folder as a log source `file:<name>`, like
 * `tail -F`: appends are read as they come; a file whose inode changed or that shrank is
 * read again from its start (rotation, truncation); a file renamed away keeps its read
 * position under its new name, so rotated lines are not sent twice. Names starting with
 * a dot (editor and temporary files) are ignored.
 */
export class DropFolder {
  readonly #dir: string;
  readonly #hub: LogHub;
  readonly #log: Logger;
  readonly #pollMs: number;
  readonly #initialLines: number;
  readonly #maxReadBytes: number;
  #files = new Map<string, FollowedFile>();
  #timer: NodeJS.Timeout | undefined;
  #scanning: Promise<void> | undefined;
  #started = false;

  constructor(options: DropFolderOptions) {
    this.#dir = options.dir;
    this.#hub = options.hub;
    this.#log = options.log;
    this.#pollMs = options.pollMs ?? 500;
    this.#initialLines = options.initialLines ?? 200;
    this.#maxReadBytes = options.maxReadBytes ?? 1024 * 1024;
  }

  /** Creates the folder if needed, reads what is there, then polls until stop(). */
  async start(): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await this.scan();
    this.#started = true;
    this.#timer = setInterval(() => void this.scan(), this.#pollMs);
    this.#timer.unref();
    this.#log.info({ dir: this.#dir, files: this.#files.size }, 'drop folder followed');
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#scanning;
  }

  /** One poll; concurrent calls share the scan in progress. */
  scan(): Promise<void> {
    this.#scanning ??= this.#scan()
      .catch((error: unknown) => {
        this.#log.warn({ dir: this.#dir, error: describeError(error) }, 'drop folder scan failed');
      })
      .finally(() => {
        this.#scanning = undefined;
      });

    return this.#scanning;
  }

  async #scan(): Promise<void> {
    const previous = this.#files;
    const byInode = new Map([...previous.values()].map((file) => [file.ino, file]));
    const next = new Map<string, FollowedFile>();
    const sizes = new Map<string, number>();

    for (const entry of await readdir(this.#dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const info = await stat(join(this.#dir, entry.name)).catch(() => null);
      if (!info?.isFile()) continue;

      next.set(entry.name, this.#track(entry.name, info.ino, info.size, previous, byInode));
      sizes.set(entry.name, info.size);
    }

    this.#files = next;
    this.#announce(previous, next);
    for (const [name, file] of next)
      await this.#read(join(this.#dir, name), file, sizes.get(name) ?? 0);
  }

  #track(
    name: string,
    ino: number,
    size: number,
    previous: Map<string, FollowedFile>,
    byInode: Map<number, FollowedFile>,
  ): FollowedFile {
    const known = previous.get(name);
    if (known && known.ino === ino) {
      // A file truncated and refilled past our offset between two polls goes unnoticed;
      // the lines written before the refill reached our offset are then skipped.
      if (size < known.offset) {
        this.#log.info({ file: name }, 'file truncated; reading from its start');
        Object.assign(known, { offset: 0, partial: Buffer.alloc(0) });
        this.#hub.restartSource(sourceId(name));
      }
      return known;
    }

    const moved = byInode.get(ino);
    if (moved && moved.name !== name) {
      this.#log.debug({ from: moved.name, to: name }, 'file renamed; following it');
      return { ...moved, name, partial: Buffer.from(moved.partial), headerSeen: false };
    }

    if (known) {
      this.#log.info({ file: name }, 'file replaced (rotated); reading from its start');
      this.#hub.restartSource(sourceId(name));
    }
    if (!this.#started) {
      const offset = Math.max(0, size - TAIL_BYTES);
      return {
        name,
        ino,
        offset,
        partial: Buffer.alloc(0),
        tailLines: this.#initialLines,
        headerSeen: false,
      };
    }
    return { name, ino, offset: 0, partial: Buffer.alloc(0), tailLines: null, headerSeen: false };
  }

  async #read(path: string, file: FollowedFile, size: number): Promise<void> {
    const source = sourceId(file.name);
    const fromStart = file.offset === 0;
    if (!file.headerSeen && !fromStart) {
      this.#hub.primeSource(source, await readFirstLine(path, HEADER_BYTES));
    }
    file.headerSeen = true;
    let lines = await readNewLines(path, file, size, this.#maxReadBytes).catch(() => []);

    if (file.tailLines !== null) {
      // The first line may be a header the tail leaves out: the filter sees it anyway.
      if (fromStart && lines[0] !== undefined) this.#hub.primeSource(source, lines[0]);
      // Reading started mid-file: the first piece is a fragment, not a line.
      if (size > TAIL_BYTES) lines = lines.slice(1);
      lines = lines.slice(-file.tailLines);
      file.tailLines = null;
    }

    for (const text of lines) this.#hub.publish(source, { text });
  }

  #announce(previous: Map<string, FollowedFile>, next: Map<string, FollowedFile>): void {
    for (const name of next.keys()) {
      if (previous.has(name)) continue;
      this.#hub.addSource({ id: sourceId(name), label: name, kind: 'file', deviceId: null });
    }
    for (const name of previous.keys()) {
      if (!next.has(name)) this.#hub.removeSource(sourceId(name));
    }
  }
}

/** The log source ID of a drop-folder file; IDs are at most 80 characters. */
export function sourceId(name: string): string {
  return `file:${name}`.slice(0, 80);
}
