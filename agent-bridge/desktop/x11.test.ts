import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Display, InputMessage } from '../../shared/protocol/desktop.ts';
import { silentLogger } from '../log.ts';
import { findExecutable } from './run.ts';
import { openInputWindow, type InputWindow } from './testing/input-window.ts';
import { startTestDisplay, type TestDisplay } from './testing/xvfb.ts';
import type { Frame, PointerOrKey } from './types.ts';
import { X11Backend } from './x11.ts';

const TOOLS = ['Xvfb', 'ffmpeg', 'xdotool', 'xclip', 'xdpyinfo'];
const missing = TOOLS.filter((tool) => !findExecutable(tool));
const title = missing.length
  ? `X11 desktop (skipped: ${missing.join(', ')} not installed)`
  : 'X11 desktop on a private Xvfb';

let x: TestDisplay;
let backend: X11Backend;
let screen: Display;

describe.skipIf(missing.length > 0)(title, () => {
  beforeAll(async () => {
    const started = await startTestDisplay(1280, 720);
    if (!started) throw new Error('Xvfb did not start');
    x = started;
    backend = new X11Backend({ log: silentLogger(), env: x.env });
    const probe = await backend.probe();
    if (!probe.ok) throw new Error(probe.reason);
    screen = probe.displays[0]!;
  });
  afterAll(async () => {
    await backend?.close();
    await x?.stop();
  });

  it('finds the display and its size', async () => {
    expect(await backend.probe()).toEqual({
      ok: true,
      displays: [{ id: 'screen-0', name: 'Screen', width: 1280, height: 720, primary: true }],
    });
  });

  it('says in words what is missing', async () => {
    const noDisplay = new X11Backend({ log: silentLogger(), env: { PATH: process.env.PATH } });
    const noTools = new X11Backend({
      log: silentLogger(),
      env: { DISPLAY: x.display, PATH: mkdtempSync(join(tmpdir(), 'empty-path-')) },
    });
    const unreachable = new X11Backend({
      log: silentLogger(),
      env: { ...process.env, DISPLAY: ':9999' },
    });

    expect(await noDisplay.probe()).toMatchObject({ ok: false, reason: /DISPLAY is not set/ });
    expect(await noTools.probe()).toEqual({
      ok: false,
      reason: 'ffmpeg is not installed on the service computer.',
    });
    expect(await unreachable.probe()).toMatchObject({
      ok: false,
      reason: /^The agent cannot open the display :9999: /,
    });
  });

  it('captures frames of the display size and leaves no process behind', async () => {
    const frames: Frame[] = [];
    const capture = backend.startCapture(screen, (f) =>
      frames.push({ ...f, data: f.data.slice() }),
    );

    await until(() => frames.length >= 3);
    await capture.stop();
    await capture.stop();

    expect(frames[0]).toMatchObject({ width: 1280, height: 720 });
    expect(frames[0]!.data.length).toBe((1280 * 720 * 3) / 2);
    expect(await capture.ended).toMatchObject({ expected: true });
    expect(alive(capture.pid)).toBe(false);
  });

  describe('input', () => {
    let window: InputWindow | null;
    beforeAll(async () => {
      window = await openInputWindow(x.env);
    });
    afterAll(() => window?.stop());

    it('clicks where the fractions point, and the screen shows it', async (context) => {
      if (!window) return context.skip('python3 with tkinter is not installed');
      const before = await sampleColour();

      await send({ type: 'pointer.move', x: 0.25, y: 0.5 });
      await send({ type: 'pointer.button', button: 'left', down: true, x: 0.5, y: 0.5 });
      await send({ type: 'pointer.button', button: 'left', down: false, x: 0.5, y: 0.5 });

      const click = await window.waitFor((e) => e.event === 'button' && e.button === 1);
      expect(click).toMatchObject({ x: 640, y: 360 });
      await until(async () => (await sampleColour()) === 'red');
      expect(before).toBe('blue');
    });

    it('types characters, named keys and text from any layout', async (context) => {
      if (!window) return context.skip('python3 with tkinter is not installed');

      for (const [key, code] of [
        ['H', 'KeyH'],
        ['i', 'KeyI'],
        [' ', 'Space'],
        ['é', 'Digit2'],
        ['x', 'KeyX'],
        ['Backspace', 'Backspace'],
        ['!', 'Digit1'],
      ] as const) {
        await send({ type: 'key', key, code, down: true });
        await send({ type: 'key', key, code, down: false });
      }

      await window.waitFor((e) => e.event === 'text' && e.text === 'Hi é!');
    });

    it('scrolls with wheel buttons', async (context) => {
      if (!window) return context.skip('python3 with tkinter is not installed');

      await send({ type: 'pointer.wheel', dx: 0, dy: 2, x: 0.5, y: 0.5 });
      await send({ type: 'pointer.wheel', dx: -1, dy: -1, x: 0.5, y: 0.5 });

      // Tk reports the horizontal buttons 6 and 7 as 4 and 5 with Shift.
      await until(() => wheel(window!, 5, false) === 2 && wheel(window!, 4, false) === 1);
      await until(() => wheel(window!, 4, true) === 1);
    });
  });

  it('round-trips text through the clipboard', async () => {
    expect(await backend.readClipboard()).toBe('');
    await backend.writeClipboard('Grüße, SN 4711 🩺\nline two');

    expect(await backend.readClipboard()).toBe('Grüße, SN 4711 🩺\nline two');
  });
});

async function send(message: PointerOrKey | InputMessage): Promise<void> {
  await backend.input(message as PointerOrKey, screen);
}

function wheel(window: InputWindow, button: number, shift: boolean): number {
  return window.events.filter(
    (e) => e.event === 'button' && e.button === button && e.shift === shift,
  ).length;
}

/**
 * Grabs one frame and names the colour at three quarters across and down (away from the
 * pointer, which the capture draws) from its chroma planes.
 */
async function sampleColour(): Promise<'red' | 'blue' | 'other'> {
  let frame: Frame | undefined;
  const capture = backend.startCapture(screen, (f) => (frame ??= { ...f, data: f.data.slice() }));
  await until(() => frame !== undefined);
  await capture.stop();

  const { width, height, data } = frame!;
  const chroma = (width / 2) * (height / 2);
  const at = ((height * 3) / 8) * (width / 2) + (width * 3) / 8;
  const u = data[width * height + at]!;
  const v = data[width * height + chroma + at]!;
  if (v > 200 && u < 128) return 'red';
  if (u > 200 && v < 160) return 'blue';
  return 'other';
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
