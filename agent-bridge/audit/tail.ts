import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { Person } from '../../shared/protocol/common.ts';
import {
  RECORD_EVENTS,
  type FacilityRecord,
  type RecordEvent,
} from '../../shared/protocol/consent.ts';
import type { Logger } from '../log.ts';
import { EventLine } from './record.ts';
import { LedgerWalker } from './verify.ts';

export interface LedgerTailOptions {
  /** The ledger file, `<agent data>/audit.jsonl`. */
  file: string;
  /** The agent's public key: every checkpoint must be signed with it. */
  agentKey?: string;
  log: Logger;
  /** How often to look at the file where the system cannot tell of changes. */
  pollMs?: number;
}

/** How much of the file is read at a time. */
const CHUNK_BYTES = 256 * 1024;

/** Where the reading stands: the next byte to read and the chain check so far. */
interface Position {
  ino: number;
  offset: number;
  walker: LedgerWalker;
  decoder: StringDecoder;
  /** The start of a line whose end has not been written yet. */
  partial: string;
  /** The newest events, oldest first. */
  recent: RecordEvent[];
}

/**
 * The facility ledger as the consent page's Record shows it: its newest events and its
 * chain check. The whole file is read once (the chain is checked from its first line);
 * after that only the bytes appended since are read and checked, when the file changes.
 * A file that shrank or was replaced is read again from the start, and so is the whole
 * file whenever `recheck` is called (a consent page opening), so an edit to lines already
 * read shows then rather than at once.
 *
 * A last line cut short by a crash is held back as unfinished rather than named broken;
 * `npm run audit -- verify` names it.
 */
export class LedgerTail extends EventEmitter<{ change: [] }> {
  readonly #options: LedgerTailOptions;
  #position: Position | null = null;
  #problem: string | null = null;
  #queue: Promise<void> = Promise.resolve();
  #watcher: FSWatcher | null = null;
  #poll: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: LedgerTailOptions) {
    super();
    this.#options = options;
  }

  get file(): string {
    return this.#options.file;
  }

  /** Reads the file and follows it from now on. */
  start(): Promise<void> {
    const { file, log } = this.#options;
    try {
      // The folder, not the file: the file may not exist yet, and is then created.
      this.#watcher = watch(dirname(file), (_event, name) => {
        if (name === null || name === basename(file)) void this.refresh();
      });
      this.#watcher.on('error', (error) => {
        log.warn({ err: error }, 'cannot watch the audit ledger; looking at it every few seconds');
        this.#pollInstead();
      });
    } catch (error) {
      log.warn({ err: error }, 'cannot watch the audit ledger; looking at it every few seconds');
      this.#pollInstead();
    }
    return this.refresh();
  }

  /** Reads what was appended since the last look. */
  refresh(): Promise<void> {
    return this.#serial(() => this.#read(false));
  }

  /** Reads and checks the whole file again, from its first line. */
  recheck(): Promise<void> {
    return this.#serial(() => this.#read(true));
  }

  /** What the Record shows now. */
  view(): FacilityRecord {
    const position = this.#position;
    const events = position ? [...position.recent].reverse() : [];
    return { type: 'record.state', file: this.#options.file, check: this.#check(), events };
  }

  close(): void {
    this.#closed = true;
    this.#watcher?.close();
    clearInterval(this.#poll);
    this.removeAllListeners();
  }

  #check(): FacilityRecord['check'] {
    const walker = this.#position?.walker;
    if (!walker || walker.lines === 0) return { state: 'empty', problem: this.#problem };

    const result = walker.result();
    if (!result.ok) return { state: 'broken', line: result.line, problem: result.problem };
    return {
      state: 'intact',
      events: result.events,
      checkpoints: result.checkpoints,
      unsigned: result.unsignedAtEnd,
    };
  }

  #serial(work: () => Promise<boolean>): Promise<void> {
    const next = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        if (await work()) this.emit('change');
      } catch (error) {
        this.#options.log.error({ err: error }, 'reading the audit ledger failed');
      }
    });
    this.#queue = next;
    return next;
  }

  /** Reads from where it stopped (or from the start); resolves whether anything changed. */
  async #read(fromStart: boolean): Promise<boolean> {
    const { file } = this.#options;
    let size: number;
    let ino: number;
    try {
      ({ size, ino } = await stat(file));
    } catch (error) {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const changed = this.#position !== null || !missing;
      this.#position = null;
      this.#problem = missing ? null : `The file cannot be read: ${(error as Error).message}`;
      return changed;
    }

    let position = this.#position;
    let changed = false;
    if (fromStart || !position || position.ino !== ino || size < position.offset) {
      position = this.#position = fresh(ino, this.#options.agentKey);
      changed = true;
    }
    if (size === position.offset) return changed;

    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, size - position.offset));
      while (position.offset < size) {
        const length = Math.min(buffer.length, size - position.offset);
        const { bytesRead } = await handle.read(buffer, 0, length, position.offset);
        if (bytesRead === 0) break;
        position.offset += bytesRead;
        take(position, position.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
    this.#problem = null;
    return true;
  }

  #pollInstead(): void {
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#poll || this.#closed) return;
    this.#poll = setInterval(() => void this.refresh(), this.#options.pollMs ?? 3000);
    this.#poll.unref();
  }
}

function fresh(ino: number, agentKey: string | undefined): Position {
  return {
    ino,
    offset: 0,
    walker: new LedgerWalker(agentKey),
    decoder: new StringDecoder('utf8'),
    partial: '',
    recent: [],
  };
}

/** Checks and keeps the whole lines in `text`; an unfinished last line waits for its end. */
function take(position: Position, text: string): void {
  const lines = (position.partial + text).split('\n');
  position.partial = lines.pop() ?? '';

  for (const text of lines) {
    const checked = position.walker.step(text);
    // Past a broken line nothing is checked, but events are still shown.
    const event = checked ?? (position.walker.broken ? parseEvent(text) : null);
    if (event?.kind !== 'event') continue;
    position.recent.push(toRecordEvent(event));
    if (position.recent.length > RECORD_EVENTS) position.recent.shift();
  }
}

function parseEvent(text: string): EventLine | null {
  try {
    const parsed = EventLine.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** An event as the Record shows it: the ledger's fields, and the few facts it puts in words. */
export function toRecordEvent(line: EventLine): RecordEvent {
  const { detail } = line;
  const text = (value: unknown, max: number): string | null =>
    typeof value === 'string' ? value.slice(0, max) : null;
  const person = Person.safeParse(detail.for ?? detail.technician);

  return {
    seq: line.seq,
    at: line.at,
    actor: line.actor.slice(0, 200),
    role: line.role,
    action: line.action.slice(0, 80),
    session: line.session,
    capability: line.capability.slice(0, 20).map((c) => c.slice(0, 40)),
    outcome: text(line.outcome, 200),
    for: person.success ? person.data : null,
    until: text(detail.until ?? detail.validUntil, 200),
    words: text(detail.words ?? detail.reason, 500),
  };
}
