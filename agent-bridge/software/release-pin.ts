import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.ts';

/** File in the agent's data folder holding the pinned release public key (base64). */
export const RELEASE_KEY_FILE = 'release-key.pub';

/**
 * The server's release key as this agent trusts it, kept in `<dataDir>/release-key.pub`.
 * It is pinned at enrolment, when the one-time token already vouches for the server. An
 * agent enrolled before the server handed out a release key pins the first `hello`'s
 * key instead (trust on first use, like an SSH client's host key). A later, different
 * key is never adopted: it is logged and everything signed with it is refused, until
 * someone who knows why deletes the file.
 */
export class ReleaseKeyPin {
  readonly #file: string;
  readonly #log: Logger;
  #pinned: string | null;
  #mismatch = false;

  /** `enrolledKey`: the key from the enrolment record, pinned now if nothing is yet. */
  constructor(dataDir: string, log: Logger, enrolledKey?: string) {
    this.#file = join(dataDir, RELEASE_KEY_FILE);
    this.#log = log;
    this.#pinned = existsSync(this.#file) ? readFileSync(this.#file, 'utf8').trim() || null : null;
    if (this.#pinned === null && enrolledKey) this.#pin(enrolledKey, 'at enrolment');
  }

  /** The key to verify with, or null before any server presented one. */
  get key(): string | null {
    return this.#pinned;
  }

  /** Whether the server presented a key other than the pinned one. */
  get mismatch(): boolean {
    return this.#mismatch;
  }

  /** The key the server presents in `hello`: pinned the first time, compared afterwards. */
  present(key: string): void {
    if (this.#pinned === null) {
      this.#pin(key, 'on first contact');
      return;
    }
    this.#mismatch = key !== this.#pinned;
    if (this.#mismatch) {
      this.#log.warn(
        { file: this.#file },
        'the server presents a release key other than the pinned one; deliveries it signs are refused',
      );
    }
  }

  /**
   * Pins `key` in place of the pinned one. Only for a new enrolment with a one-time token
   * an administrator gave this agent: that token vouches for the server, as at first.
   */
  repin(key: string, why: string): void {
    if (key === this.#pinned) return;
    this.#log.warn({ file: this.#file, why }, 'the server key pinned before is replaced');
    this.#mismatch = false;
    this.#pin(key, why);
  }

  #pin(key: string, when: string): void {
    writeFileSync(this.#file, `${key}\n`, { mode: 0o600 });
    this.#pinned = key;
    this.#log.info({ when }, 'release key pinned');
  }
}
