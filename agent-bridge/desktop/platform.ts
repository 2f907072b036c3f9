import type { Logger } from '../log.ts';
import type { DesktopBackend, ProbeResult } from './types.ts';
import { WindowsBackend } from './windows.ts';
import { X11Backend } from './x11.ts';

/** For platforms with no back end at all (macOS, say). */
class NoBackend implements DesktopBackend {
  constructor(readonly platform: string) {}

  async probe(): Promise<ProbeResult> {
    return {
      ok: false,
      reason: `The remote desktop is not available on this system (${this.platform}).`,
    };
  }
  startCapture(): never {
    throw new Error('no desktop back end');
  }
  async input(): Promise<void> {}
  async readClipboard(): Promise<string> {
    return '';
  }
  async writeClipboard(): Promise<void> {}
  async close(): Promise<void> {}
}

/** The desktop back end for this operating system. */
export function platformBackend(log: Logger, platform = process.platform): DesktopBackend {
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') {
    return new X11Backend({ log });
  }
  if (platform === 'win32') return new WindowsBackend();

  return new NoBackend(platform);
}
