import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { signatureHolds } from '../software/verify.ts';
import { checkpointPayload, GENESIS_HASH, LedgerLine, lineHash } from './record.ts';

export type LedgerBreak = { ok: false; line: number; seq: number | null; problem: string };

export type LedgerCheck =
  { ok: true; events: number; checkpoints: number; unsignedAtEnd: number } | LedgerBreak;

/**
 * Walks a facility ledger from its first line and reports the first line that breaks it:
 * not a ledger line, out of sequence, not linked to the one before, a hash that does not
 * match, or a checkpoint whose signature does not verify (with `agentKey`, also one made
 * by another key). Reads line by line, so a ledger of any size fits in memory.
 */
export async function verifyLedger(file: string, agentKey?: string): Promise<LedgerCheck> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const walker = new LedgerWalker(agentKey);

  for await (const text of lines) {
    walker.step(text);
    if (walker.broken) break;
  }
  lines.close();

  return walker.result();
}

/**
 * The ledger check one line at a time, from the first line on, for `verifyLedger` and for
 * the consent page's Record, which checks lines as the agent appends them. After the first
 * broken line it checks nothing more: every later line hangs on the broken one.
 */
export class LedgerWalker {
  readonly #agentKey: string | undefined;
  #prev = GENESIS_HASH;
  #expectedSeq = 1;
  #number = 0;
  #events = 0;
  #checkpoints = 0;
  #unsigned = 0;
  #broken: LedgerBreak | null = null;

  constructor(agentKey?: string) {
    this.#agentKey = agentKey;
  }

  /** The first broken line, once one was found. */
  get broken(): LedgerBreak | null {
    return this.#broken;
  }

  /** How many lines were read, blank ones included. */
  get lines(): number {
    return this.#number;
  }

  /** Checks the next line of the file; returns it parsed when it holds. */
  step(text: string): LedgerLine | null {
    if (this.#broken) return null;
    this.#number += 1;
    if (text.trim() === '') return null;

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.#break('not JSON (cut short or edited)');
    }
    const parsed = LedgerLine.safeParse(json);
    if (!parsed.success) return this.#break('not a ledger line');

    const line = parsed.data;
    if (line.seq !== this.#expectedSeq) {
      return this.#break(`sequence ${line.seq}, expected ${this.#expectedSeq}`, line.seq);
    }
    if (line.prev !== this.#prev) return this.#break('not linked to the line before', line.seq);
    const { hash, ...body } = line;
    if (lineHash(body) !== hash) {
      return this.#break('its hash does not match its content', line.seq);
    }

    if (line.kind === 'checkpoint') {
      if (this.#agentKey && line.key !== this.#agentKey) {
        return this.#break('signed by another key', line.seq);
      }
      const payload = checkpointPayload(line.agent, line.seq, line.prev);
      if (!signatureHolds(line.key, payload, line.signature)) {
        return this.#break('the checkpoint signature does not verify', line.seq);
      }
      this.#checkpoints += 1;
      this.#unsigned = 0;
    } else {
      this.#events += 1;
      this.#unsigned += 1;
    }
    this.#prev = hash;
    this.#expectedSeq += 1;
    return line;
  }

  /** The verdict on the lines read so far. */
  result(): LedgerCheck {
    return (
      this.#broken ?? {
        ok: true,
        events: this.#events,
        checkpoints: this.#checkpoints,
        unsignedAtEnd: this.#unsigned,
      }
    );
  }

  #break(problem: string, seq: number | null = null): null {
    this.#broken = { ok: false, line: this.#number, seq, problem };
    return null;
  }
}
