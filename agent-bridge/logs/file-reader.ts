import { open } from 'node:fs/promises';
import { MAX_LINE_CHARS } from './classify.ts';

/** Bytes of a line without a newline kept before it is sent anyway, cut. */
const MAX_PARTIAL_BYTES = MAX_LINE_CHARS * 4;

/** Where a followed file has been read to, and the unfinished last line. */
export interface ReadPosition {
  offset: number;
  partial: Buffer;
}

/**
 * Reads `path` from `position.offset` up to `end` (at most `maxBytes`) and returns the
 * complete lines found. The unfinished last line stays in `position.partial` until its
 * newline arrives, so a line written in two steps is still one line.
 */
export async function readNewLines(
  path: string,
  position: ReadPosition,
  end: number,
  maxBytes: number,
): Promise<string[]> {
  const length = Math.min(end - position.offset, maxBytes);
  if (length <= 0) return [];

  const chunk = Buffer.alloc(length);
  const handle = await open(path, 'r');
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(chunk, 0, length, position.offset));
  } finally {
    await handle.close();
  }
  position.offset += bytesRead;

  return splitLines(position, chunk.subarray(0, bytesRead));
}

/**
 * The first line of `path` (up to `maxBytes`, without its newline), or '' when the file
 * cannot be read. Used to see the header row of a file whose reading starts further on.
 */
export async function readFirstLine(path: string, maxBytes: number): Promise<string> {
  const chunk = Buffer.alloc(maxBytes);
  const handle = await open(path, 'r').catch(() => null);
  if (!handle) return '';
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(chunk, 0, maxBytes, 0));
  } catch {
    return '';
  } finally {
    await handle.close();
  }
  const data = chunk.subarray(0, bytesRead);
  const newline = data.indexOf(0x0a);

  return data.subarray(0, newline < 0 ? bytesRead : newline).toString('utf8');
}

function splitLines(position: ReadPosition, chunk: Buffer): string[] {
  const data = position.partial.length ? Buffer.concat([position.partial, chunk]) : chunk;
  const lastNewline = data.lastIndexOf(0x0a);

  if (lastNewline < 0) {
    if (data.length <= MAX_PARTIAL_BYTES) {
      position.partial = data;
      return [];
    }
    // A "line" this long is binary or runaway output: send what we have and move on.
    position.partial = Buffer.alloc(0);
    return [data.toString('utf8')];
  }

  position.partial = Buffer.from(data.subarray(lastNewline + 1));
  return data.subarray(0, lastNewline).toString('utf8').split('\n');
}
