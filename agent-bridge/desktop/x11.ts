import { TetherError } from '../../shared/errors.ts';
import type { Display } from '../../shared/protocol/desktop.ts';
import type { Logger } from '../log.ts';
import type { Capture, DesktopBackend, Frame, PointerOrKey, ProbeResult } from './types.ts';
import { startX11Capture } from './x11-capture.ts';
import { X11Clipboard } from './x11-clipboard.ts';
import { XdotoolInput, xdotoolCommands } from './x11-input.ts';
import { probeX11, type X11Display, type X11Tools } from './x11-probe.ts';

export interface X11BackendOptions {
  log: Logger;
  /** Environment of the helper programs; DISPLAY and PATH are read from it. */
  env?: NodeJS.ProcessEnv;
  framerate?: number;
}

/**
 * The remote desktop on Linux with X11: ffmpeg x11grab for the picture, one long-lived
 * xdotool for pointer and keyboard, xclip (or xsel) for the clipboard. Wayland sessions
 * are not covered; under XWayland only X programs would be seen and driven.
 */
export class X11Backend implements DesktopBackend {
  readonly #log: Logger;
  readonly #env: NodeJS.ProcessEnv;
  readonly #framerate: number | undefined;
  #display = '';
  #tools: X11Tools | undefined;
  #displays = new Map<string, X11Display>();
  #input: XdotoolInput | undefined;
  #clipboard: X11Clipboard | undefined;

  constructor(options: X11BackendOptions) {
    this.#log = options.log;
    this.#env = options.env ?? process.env;
    this.#framerate = options.framerate;
  }

  async probe(): Promise<ProbeResult> {
    const probe = await probeX11(this.#env);
    if (!probe.ok) return probe;

    this.#display = probe.display;
    this.#tools = probe.tools;
    this.#displays = new Map(probe.displays.map((d) => [d.id, d]));
    this.#input ??= new XdotoolInput({
      env: this.#env,
      log: this.#log,
      command: probe.tools.xdotool,
    });
    const { tool, command } = probe.tools.clipboard;
    this.#clipboard = new X11Clipboard(tool, command, this.#env);

    return { ok: true, displays: probe.displays.map(publicDisplay) };
  }

  startCapture(display: Display, onFrame: (frame: Frame) => void): Capture {
    const tools = this.#ready();

    return startX11Capture({
      ffmpeg: tools.ffmpeg,
      display: this.#display,
      geometry: this.#geometry(display),
      env: this.#env,
      log: this.#log,
      framerate: this.#framerate,
      onFrame,
    });
  }

  async input(message: PointerOrKey, display: Display): Promise<void> {
    this.#ready();
    const lines = xdotoolCommands(message, this.#geometry(display), this.#log);
    if (lines.length > 0) this.#input?.send(lines);
  }

  async readClipboard(): Promise<string> {
    this.#ready();
    return (await this.#clipboard?.read()) ?? '';
  }

  async writeClipboard(text: string): Promise<void> {
    this.#ready();
    await this.#clipboard?.write(text);
  }

  async close(): Promise<void> {
    this.#input?.close();
    this.#input = undefined;
  }

  #ready(): X11Tools {
    if (!this.#tools) throw new TetherError('invalid_state', 'The desktop was not probed.');
    return this.#tools;
  }

  #geometry(display: Display) {
    const known = this.#displays.get(display.id);
    return known?.geometry ?? { x: 0, y: 0, width: display.width, height: display.height };
  }
}

function publicDisplay(display: X11Display): Display {
  const { id, name, width, height, primary } = display;
  return { id, name, width, height, primary };
}
