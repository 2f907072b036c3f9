import type { Display, InputMessage } from '../../shared/protocol/desktop.ts';

/** One captured picture: planar I420 (Y, then U, then V), `width * height * 3 / 2` bytes. */
export interface Frame {
  width: number;
  height: number;
  data: Uint8Array;
}

/** What a platform's probe found: the displays to offer, or why there are none. */
export type ProbeResult = { ok: true; displays: Display[] } | { ok: false; reason: string };

/** How a capture ended: on purpose (`stop()`), or by itself with a reason. */
export interface CaptureEnd {
  expected: boolean;
  /** In words for a technician, e.g. the capture program's last error line. */
  reason: string;
}

/** A running screen capture of one display. */
export interface Capture {
  /** The capture process, for tests and logs; undefined when it never started. */
  readonly pid: number | undefined;
  /** Settles once, when the capture has ended for whatever reason. */
  readonly ended: Promise<CaptureEnd>;
  /** Ends the capture and waits for its process to be gone. Idempotent. */
  stop(): Promise<void>;
}

/** Pointer and keyboard messages; clipboard messages go through the clipboard methods. */
export type PointerOrKey = Exclude<InputMessage, { type: 'clipboard.set' | 'clipboard.get' }>;

/**
 * Screen capture and input for one platform. The agent holds one; everything above it
 * (the desktop service, the sessions) is the same on every platform.
 */
export interface DesktopBackend {
  /** Checks that the tools and the display are there and lists the displays. */
  probe(): Promise<ProbeResult>;
  /** Starts capturing `display`; `onFrame` gets each frame, valid only during the call. */
  startCapture(display: Display, onFrame: (frame: Frame) => void): Capture;
  /** Applies one pointer or key message to `display` (fractions map onto its pixels). */
  input(message: PointerOrKey, display: Display): Promise<void>;
  readClipboard(): Promise<string>;
  writeClipboard(text: string): Promise<void>;
  /** Ends helper processes (input, clipboard). Idempotent. */
  close(): Promise<void>;
}
