import type { Display } from '../../../shared/protocol/desktop.ts';
import type { Capture, CaptureEnd, DesktopBackend, PointerOrKey, ProbeResult } from '../types.ts';

/**
 * A desktop back end for tests of the layers above it: a grey test picture at 30 frames
 * a second instead of a screen, and a record of the input it was given.
 */
export class PatternBackend implements DesktopBackend {
  readonly display: Display = {
    id: 'screen-0',
    name: 'Screen',
    width: 320,
    height: 240,
    primary: true,
  };
  readonly inputs: PointerOrKey[] = [];
  clipboard = '';
  running = 0;

  async probe(): Promise<ProbeResult> {
    return { ok: true, displays: [this.display] };
  }

  startCapture(display: Display, onFrame: Parameters<DesktopBackend['startCapture']>[1]): Capture {
    const { width, height } = display;
    const data = new Uint8Array((width * height * 3) / 2).fill(128);
    const timer = setInterval(() => onFrame({ width, height, data }), 33);
    let end: (value: CaptureEnd) => void = () => undefined;
    const ended = new Promise<CaptureEnd>((resolve) => (end = resolve));
    let stopped = false;
    this.running += 1;

    return {
      pid: undefined,
      ended,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        this.running -= 1;
        clearInterval(timer);
        end({ expected: true, reason: 'stopped' });
      },
    };
  }

  async input(message: PointerOrKey): Promise<void> {
    this.inputs.push(message);
  }

  async readClipboard(): Promise<string> {
    return this.clipboard;
  }

  async writeClipboard(text: string): Promise<void> {
    this.clipboard = text;
  }

  async close(): Promise<void> {}
}
