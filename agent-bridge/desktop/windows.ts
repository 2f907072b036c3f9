import { TetherError } from '../../shared/errors.ts';
import type { Capture, DesktopBackend, ProbeResult } from './types.ts';

/** What a technician reads when the agent runs on Windows. */
export const WINDOWS_UNAVAILABLE =
  'The remote desktop is not available on Windows in this version.';

/**
 * The remote desktop on Windows: not built yet. The probe says so, and nothing else is
 * ever called, so sessions there get logs but no screen.
 *
 * The design it is meant to follow, behind the same DesktopBackend as X11:
 * - picture: ffmpeg `-f ddagrab` (Desktop Duplication, Windows 8 and later; cheap, sees
 *   the secure desktop only when running as SYSTEM) with `-f gdigrab` as the fallback,
 *   raw yuv420p frames on stdout exactly as with x11grab;
 * - input and clipboard: a small signed helper program started once, reading one JSON
 *   command per line on stdin and calling SendInput (absolute pointer coordinates over
 *   the virtual desktop, KEYEVENTF_UNICODE for characters) and the clipboard API;
 *   Ctrl+Alt+Delete needs SendSAS from a service, so the agent would run as one;
 * - displays: EnumDisplayMonitors through the same helper, one Display per monitor.
 */
export class WindowsBackend implements DesktopBackend {
  async probe(): Promise<ProbeResult> {
    return { ok: false, reason: WINDOWS_UNAVAILABLE };
  }

  startCapture(): Capture {
    throw unavailable();
  }

  async input(): Promise<void> {
    throw unavailable();
  }

  async readClipboard(): Promise<string> {
    throw unavailable();
  }

  async writeClipboard(): Promise<void> {
    throw unavailable();
  }

  async close(): Promise<void> {}
}

function unavailable(): TetherError {
  return new TetherError('invalid_state', WINDOWS_UNAVAILABLE);
}
