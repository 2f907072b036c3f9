import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { RELEASE_KEY_FILE, ReleaseKeyPin } from './release-pin.ts';

const ENROLLED = 'A'.repeat(43) + '=';
const OTHER = 'B'.repeat(43) + '=';

describe('ReleaseKeyPin', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-pin-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true })));

  it('pins the key from enrolment and refuses a different one in hello', () => {
    const dir = tempDir();
    const pin = new ReleaseKeyPin(dir, silentLogger(), ENROLLED);

    expect(pin.key).toBe(ENROLLED);
    expect(readFileSync(join(dir, RELEASE_KEY_FILE), 'utf8').trim()).toBe(ENROLLED);
    expect(statSync(join(dir, RELEASE_KEY_FILE)).mode & 0o777).toBe(0o600);

    pin.present(OTHER);
    expect(pin.key).toBe(ENROLLED);
    expect(pin.mismatch).toBe(true);
  });

  it('replaces the pin only when told to, after enrolling again with a token', () => {
    const dir = tempDir();
    const pin = new ReleaseKeyPin(dir, silentLogger(), ENROLLED);
    pin.present(OTHER);
    expect(pin.mismatch).toBe(true);

    pin.repin(OTHER, 'enrolled again with a one-time token');
    expect(pin.key).toBe(OTHER);
    expect(pin.mismatch).toBe(false);
    expect(new ReleaseKeyPin(dir, silentLogger()).key).toBe(OTHER);
  });

  it('keeps an existing pin over a different key in a newer enrolment record', () => {
    const dir = tempDir();
    new ReleaseKeyPin(dir, silentLogger(), ENROLLED);

    const later = new ReleaseKeyPin(dir, silentLogger(), OTHER);
    expect(later.key).toBe(ENROLLED);
  });

  it('pins the first hello when the enrolment record has no key', () => {
    const pin = new ReleaseKeyPin(tempDir(), silentLogger());
    expect(pin.key).toBeNull();

    pin.present(ENROLLED);
    expect(pin.key).toBe(ENROLLED);
    expect(pin.mismatch).toBe(false);
  });
});
