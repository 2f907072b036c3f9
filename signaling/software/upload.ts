import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TetherError } from '../../shared/errors.ts';

/** What arrived: a complete file on disk, its size and SHA-256. */
export interface ReceivedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Streams a request body to `path`, hashing it on the way, and never holds more than a
 * stream buffer in memory. Past `maxBytes` (declared or counted) it stops with
 * `message_too_large`; on any failure the partial file is removed, so nothing is ever
 * half-stored. An empty body is refused.
 */
export async function receiveFile(
  req: IncomingMessage,
  path: string,
  maxBytes: number,
): Promise<ReceivedFile> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }

  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      size += chunk.length;
      if (size > maxBytes) return done(tooLarge(maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });

  try {
    await pipeline(req, meter, createWriteStream(path, { flags: 'wx', mode: 0o600 }));
  } catch (error) {
    await rm(path, { force: true });
    if (error instanceof TetherError) throw error;
    throw new TetherError('bad_request', 'The upload was interrupted before the file arrived.');
  }

  if (size === 0) {
    await rm(path, { force: true });
    throw new TetherError('bad_request', 'The file is empty. Choose the package file to upload.');
  }
  return { path, size, sha256: hash.digest('hex') };
}

function tooLarge(maxBytes: number): TetherError {
  const mib = Math.round(maxBytes / (1024 * 1024));
  return new TetherError(
    'message_too_large',
    `The file is larger than the ${mib} MiB a package may have.`,
  );
}
