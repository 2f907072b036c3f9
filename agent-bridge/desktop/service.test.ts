import wrtc from '@roamhq/wrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { findExecutable } from './run.ts';
import { DesktopService } from './service.ts';
import { startTestDisplay, type TestDisplay } from './testing/xvfb.ts';
import type { Capture, CaptureEnd, DesktopBackend } from './types.ts';
import { X11Backend } from './x11.ts';

const missing = ['Xvfb', 'ffmpeg', 'xdotool', 'xclip', 'xdpyinfo'].filter(
  (t) => !findExecutable(t),
);
const title = missing.length
  ? `DesktopService on X11 (skipped: ${missing.join(', ')} not installed)`
  : 'DesktopService on a private Xvfb';
const FAST_RESTART = { attempts: 2, initialMs: 20, maxMs: 50, healthyAfterMs: 60_000 };

describe.skipIf(missing.length > 0)(title, () => {
  let x: TestDisplay;
  let service: DesktopService;
  beforeAll(async () => {
    x = (await startTestDisplay(640, 480))!;
    service = new DesktopService({
      backend: new X11Backend({ log: silentLogger(), env: x.env }),
      log: silentLogger(),
      restart: FAST_RESTART,
    });
    await service.probe();
  });
  afterAll(async () => {
    await service?.close();
    await x?.stop();
  });

  it('captures while anyone views, shares one capture, and stops with the last viewer', async () => {
    const track = service.track('screen-0');
    const sink = new wrtc.nonstandard.RTCVideoSink(track);
    const sizes: string[] = [];
    sink.onframe = ({ frame }: { frame: { width: number; height: number } }) =>
      sizes.push(`${frame.width}x${frame.height}`);

    expect(service.viewerState('s1')).toEqual({ state: 'stopped', reason: null, displayId: null });
    await service.attach('s1', null);
    await until(() => service.viewerState('s1').state === 'streaming');
    await until(() => sizes.length >= 3);
    const pid = service.capturePid('screen-0');
    await service.attach('s2', 'screen-0');
    expect(service.capturePid('screen-0')).toBe(pid);

    await service.detach('s1');
    expect(alive(pid)).toBe(true);
    await service.detach('s2');
    await service.detach('s2');

    expect(sizes[0]).toBe('640x480');
    expect(alive(pid)).toBe(false);
    expect(service.capturePid('screen-0')).toBeUndefined();
    expect(service.viewerState('s2').state).toBe('stopped');
    sink.stop();
    track.stop();
  });

  it('restarts a capture that was killed', async () => {
    await service.attach('s1', null);
    await until(() => service.viewerState('s1').state === 'streaming');
    const first = service.capturePid('screen-0')!;

    process.kill(first, 'SIGKILL');
    await until(() => {
      const pid = service.capturePid('screen-0');
      return pid !== undefined && pid !== first && service.viewerState('s1').state === 'streaming';
    });

    await service.detach('s1');
  });
});

describe('DesktopService with a capture that keeps dying', () => {
  it('gives up after a few restarts and says why, until the last viewer leaves', async () => {
    let starts = 0;
    const backend: DesktopBackend = {
      probe: async () => ({
        ok: true,
        displays: [{ id: 'd1', name: 'Screen', width: 64, height: 48, primary: true }],
      }),
      startCapture: (): Capture => {
        starts += 1;
        const ended: Promise<CaptureEnd> = Promise.resolve({
          expected: false,
          reason: 'Screen capture stopped: Cannot open display',
        });
        return { pid: undefined, ended, stop: async () => undefined };
      },
      input: async () => undefined,
      readClipboard: async () => '',
      writeClipboard: async () => undefined,
      close: async () => undefined,
    };
    const service = new DesktopService({ backend, log: silentLogger(), restart: FAST_RESTART });
    await service.probe();

    await service.attach('s1', 'd1');
    await until(() => service.viewerState('s1').state === 'unavailable');

    expect(starts).toBe(3);
    expect(service.viewerState('s1')).toEqual({
      state: 'unavailable',
      reason: 'Screen capture stopped: Cannot open display',
      displayId: 'd1',
    });
    await service.detach('s1');
    await service.attach('s1', 'd1');
    expect(starts).toBe(4);
    await service.close();
  });

  it('is unavailable with the probe reason', async () => {
    const service = new DesktopService({
      backend: {
        probe: async () => ({
          ok: false,
          reason: 'ffmpeg is not installed on the service computer.',
        }),
      } as unknown as DesktopBackend,
      log: silentLogger(),
    });
    await service.probe();

    expect(service.available).toBe(false);
    expect(service.viewerState('s1')).toEqual({
      state: 'unavailable',
      reason: 'ffmpeg is not installed on the service computer.',
      displayId: null,
    });
  });
});

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
