import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { TetherError } from '../../shared/errors.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

export const REMOTE_ACCESS_FILE = 'remote-access.json';

const Stored = z.object({ remoteAccess: z.enum(['on', 'off']), changedAt: z.string() });

/**
 * The consent page's "Remote access" switch. Off, the agent refuses every request and
 * every code, whatever the server says. The setting lives in the agent's data folder
 * (`remote-access.json`), so that it holds across a restart. A file that cannot be read
 * counts as off: staff who switched access off must never find it on again by accident;
 * they see it off on the consent page and can switch it on.
 */
export class RemoteAccessSwitch extends EventEmitter<{ change: [boolean] }> {
  readonly #file: string;
  readonly #log: Logger;
  #on: boolean;

  constructor(options: { dataDir: string; log: Logger }) {
    super();
    this.#file = join(options.dataDir, REMOTE_ACCESS_FILE);
    this.#log = options.log;
    this.#on = this.#read();
  }

  get isOn(): boolean {
    return this.#on;
  }

  /**
   * Turns remote access on or off at once, then saves it. When saving fails the switch
   * still holds until the agent stops, and staff are told that it would not survive a
   * restart.
   */
  set(on: boolean): void {
    if (on === this.#on) return;

    this.#on = on;
    this.#log.info(
      { remoteAccess: on ? 'on' : 'off' },
      `remote access switched ${on ? 'on' : 'off'}`,
    );
    this.emit('change', on);
    this.#save();
  }

  #read(): boolean {
    if (!existsSync(this.#file)) return true;

    try {
      const stored = Stored.parse(JSON.parse(readFileSync(this.#file, 'utf8')));
      if (stored.remoteAccess === 'off') this.#log.info('remote access is switched off');
      return stored.remoteAccess === 'on';
    } catch (error) {
      this.#log.warn(
        { file: this.#file, error: describeError(error) },
        'remote access setting unreadable; remote access stays off until staff switch it on',
      );
      return false;
    }
  }

  #save(): void {
    const text = JSON.stringify({
      remoteAccess: this.#on ? 'on' : 'off',
      changedAt: new Date().toISOString(),
    });
    const temporary = `${this.#file}.tmp`;
    try {
      writeFileSync(temporary, `${text}\n`, { mode: 0o600 });
      renameSync(temporary, this.#file);
    } catch (error) {
      this.#log.error({ err: error, file: this.#file }, 'remote access setting not saved');
      throw new TetherError(
        'internal',
        `Remote access is ${this.#on ? 'on' : 'off'} now, but the setting could not be saved ` +
          `(${describeError(error)}), so it will not hold after the agent restarts.`,
      );
    }
  }
}
