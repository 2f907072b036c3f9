import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

/**
 * The Chromium the tests drive. Nothing here downloads a browser: Playwright's own build
 * when one is installed, else CHROMIUM_PATH, else Debian's /usr/bin/chromium.
 */
export function chromiumExecutable(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;

  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright throws when it has no browser of its own; the system one follows.
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';

  throw new Error(
    'No Chromium found. Install Debian’s chromium package or set CHROMIUM_PATH to a Chromium binary.',
  );
}

/** Flags for Chromium as root in a container on a closed network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
