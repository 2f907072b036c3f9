import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { REMOTE_ACCESS_FILE, RemoteAccessSwitch } from './remote-access.ts';

const log = silentLogger();

describe('RemoteAccessSwitch', () => {
  it('starts on, and holds off across a restart', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'remote-access-'));
    const first = new RemoteAccessSwitch({ dataDir, log });
    const changes: boolean[] = [];
    first.on('change', (on) => changes.push(on));

    expect(first.isOn).toBe(true);
    first.set(false);
    first.set(false);

    expect(changes).toEqual([false]);
    expect(new RemoteAccessSwitch({ dataDir, log }).isOn).toBe(false);
    const file = join(dataDir, REMOTE_ACCESS_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ remoteAccess: 'off' });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    first.set(true);
    expect(new RemoteAccessSwitch({ dataDir, log }).isOn).toBe(true);
  });

  it('stays off when its file cannot be read, so a switched-off facility is never reopened', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'remote-access-'));
    writeFileSync(join(dataDir, REMOTE_ACCESS_FILE), '{ "remoteAccess": "of');

    expect(new RemoteAccessSwitch({ dataDir, log }).isOn).toBe(false);
  });

  it('holds the switch and says so in words when it cannot be saved', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'remote-access-')), 'missing');
    const remote = new RemoteAccessSwitch({ dataDir, log });

    expect(() => remote.set(false)).toThrow(
      /Remote access is off now, but the setting could not be saved .* after the agent restarts/,
    );
    expect(remote.isOn).toBe(false);
  });
});
