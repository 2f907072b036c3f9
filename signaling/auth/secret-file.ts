import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a 32-byte random key from `<dataDir>/secrets/<name>`, making it on first start
 * (mode 0600, folder 0700). Keeping keys on disk, beside the database they protect, lets
 * sign-ins and encrypted columns survive a restart.
 */
export function loadSecretFile(dataDir: string, name: string): Buffer {
  const dir = join(dataDir, 'secrets');
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  try {
    writeFileSync(file, randomBytes(32), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A key copied in by hand may carry wider permissions; nobody else needs to read it.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);

  const secret = readFileSync(file);
  if (secret.length < 32) throw new Error(`${file} is shorter than 32 bytes`);
  return secret;
}
