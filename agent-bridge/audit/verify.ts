import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkpointPayload, checkSignature, GENESIS_HASH, LedgerLine, lineHash } from './record.ts';

export type LedgerCheck =
  | { ok: true; events: number; checkpoints: number; unsignedAtEnd: number }
  | { ok: false; line: number; seq: number | null; problem: string };

/**
 * Walks a facility ledger from its first line and reports the first line that breaks it:
 * not a ledger line, out of sequence, not linked to the one before, a hash that does not
 * match, or a checkpoint whose signature does not verify (with `agentKey`, also one made
 * by another key). Reads line by line, so a ledger of any size fits in memory.
 */
export async function verifyLedger(file: string, agentKey?: string): Promise<LedgerCheck> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  let number = 0;
  let events = 0;
  let checkpoints = 0;
  let unsigned = 0;

  for await (const text of lines) {
    number += 1;
    if (text.trim() === '') continue;
    const broken = (problem: string, seq: number | null = null): LedgerCheck => ({
      ok: false,
      line: number,
      seq,
      problem,
    });

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return broken('not JSON (cut short or edited)');
    }
    const parsed = LedgerLine.safeParse(json);
    if (!parsed.success) return broken('not a ledger line');

    const line = parsed.data;
    if (line.seq !== expectedSeq)
      return broken(`sequence ${line.seq}, expected ${expectedSeq}`, line.seq);
    if (line.prev !== prev) return broken('not linked to the line before', line.seq);
    const { hash, ...body } = line;
    if (lineHash(body) !== hash) return broken('its hash does not match its content', line.seq);

    if (line.kind === 'checkpoint') {
      if (agentKey && line.key !== agentKey) return broken('signed by another key', line.seq);
      const payload = checkpointPayload(line.agent, line.seq, line.prev);
      if (!checkSignature(line.key, payload, line.signature)) {
        return broken('the checkpoint signature does not verify', line.seq);
      }
      checkpoints += 1;
      unsigned = 0;
    } else {
      events += 1;
      unsigned += 1;
    }
    prev = hash;
    expectedSeq += 1;
  }

  return { ok: true, events, checkpoints, unsignedAtEnd: unsigned };
}
