import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { findExecutable } from './run.ts';
import { ScreenBanner, bannerText } from './screen-banner.ts';
import { startTestDisplay, type TestDisplay } from './testing/xvfb.ts';

const person = { displayName: 'Dana Field', organisation: 'Acme Service' };

describe('banner words', () => {
  it('says nothing while nobody looks', () => {
    expect(bannerText([{ technician: person, viewing: false, controlling: true }])).toBeNull();
  });

  it('names who views, and who controls first', () => {
    expect(bannerText([{ technician: person, viewing: true, controlling: false }])).toBe(
      'Remote support: Dana Field (Acme Service) is viewing this screen through Tether',
    );
    const other = { displayName: 'Lee Expert', organisation: 'Acme R&D' };
    expect(
      bannerText([
        { technician: person, viewing: true, controlling: false },
        { technician: other, viewing: true, controlling: true },
      ]),
    ).toContain('Lee Expert (Acme R&D) is controlling this screen');
  });
});

const tkMissing = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import tkinter'], { stdio: 'ignore' });
    return false;
  } catch {
    return true;
  }
})();
const missing = [
  ...['Xvfb', 'xdotool'].filter((tool) => !findExecutable(tool)),
  ...(tkMissing ? ['python3-tk'] : []),
];
const title = missing.length
  ? `on-screen banner (skipped: ${missing.join(', ')} not installed)`
  : 'on-screen banner on a private Xvfb';

describe.skipIf(missing.length > 0)(title, () => {
  let x: TestDisplay;

  beforeAll(async () => {
    const started = await startTestDisplay(1280, 720);
    if (!started) throw new Error('Xvfb did not start');
    x = started;
  });
  afterAll(async () => x?.stop());

  /** Visible windows whose name is the banner program's. */
  const bannerWindows = (): number => {
    try {
      const out = execFileSync(
        'xdotool',
        ['search', '--onlyvisible', '--classname', 'tether-banner'],
        {
          env: x.env,
          encoding: 'utf8',
        },
      );
      return out.trim().split('\n').filter(Boolean).length;
    } catch {
      return 0;
    }
  };

  it('shows while there is something to say and hides after', async () => {
    const banner = new ScreenBanner({ display: x.env.DISPLAY!, log: silentLogger() });

    banner.show('Remote support: Dana Field is viewing this screen through Tether');
    await expect.poll(bannerWindows, { timeout: 10_000 }).toBe(1);

    banner.show(null);
    await expect.poll(bannerWindows, { timeout: 10_000 }).toBe(0);
    banner.close();
  });
});
