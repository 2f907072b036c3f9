import type { Display } from '../../shared/protocol/desktop.ts';
import { findExecutable, lastLine, run } from './run.ts';
import type { ClipboardTool } from './x11-clipboard.ts';
import type { Geometry } from './x11-input.ts';

/** A display as the X11 back end knows it: where it sits on the X screen. */
export interface X11Display extends Display {
  geometry: Geometry;
}

/** Paths of the programs the X11 back end runs. */
export interface X11Tools {
  ffmpeg: string;
  xdotool: string;
  clipboard: { tool: ClipboardTool; command: string };
}

export type X11Probe =
  | { ok: true; display: string; tools: X11Tools; displays: X11Display[] }
  | { ok: false; reason: string };

const NOT_INSTALLED = 'is not installed on the service computer';

/**
 * Checks what the X11 back end needs: DISPLAY set, ffmpeg, xdotool, xclip or xsel and
 * xdpyinfo installed, the display reachable; then lists its monitors. xrandr may be
 * missing (a bare Xvfb has no use for it): the whole X screen is then one display.
 */
export async function probeX11(env: NodeJS.ProcessEnv): Promise<X11Probe> {
  const display = env.DISPLAY?.trim();
  if (!display) {
    return {
      ok: false,
      reason: 'The agent runs without a graphical display (DISPLAY is not set for it).',
    };
  }

  const ffmpeg = findExecutable('ffmpeg', env);
  const xdotool = findExecutable('xdotool', env);
  const xdpyinfo = findExecutable('xdpyinfo', env);
  const xclip = findExecutable('xclip', env);
  const xsel = findExecutable('xsel', env);
  if (!ffmpeg) return { ok: false, reason: `ffmpeg ${NOT_INSTALLED}.` };
  if (!xdotool) return { ok: false, reason: `xdotool ${NOT_INSTALLED}.` };
  if (!xdpyinfo) return { ok: false, reason: `xdpyinfo (x11-utils) ${NOT_INSTALLED}.` };
  if (!xclip && !xsel) return { ok: false, reason: `Neither xclip nor xsel ${NOT_INSTALLED}.` };
  const clipboard = xclip
    ? { tool: 'xclip' as const, command: xclip }
    : { tool: 'xsel' as const, command: xsel ?? 'xsel' };

  const info = await run(xdpyinfo, [], { env, timeoutMs: 5000 });
  if (info.code !== 0) {
    const why = info.timedOut ? 'it did not answer' : lastLine(info.stderr) || 'no answer';
    return { ok: false, reason: `The agent cannot open the display ${display}: ${why}.` };
  }

  const xrandr = findExecutable('xrandr', env);
  const monitors = xrandr
    ? parseMonitors((await run(xrandr, ['--listmonitors'], { env })).stdout)
    : [];
  const screen = parseScreenSize(info.stdout);
  const displays = monitors.length > 0 ? monitors : screen ? [wholeScreen(screen)] : [];
  if (displays.length === 0) {
    return { ok: false, reason: `The display ${display} reports no screen size.` };
  }

  return { ok: true, display, tools: { ffmpeg, xdotool, clipboard }, displays };
}

/** The first screen's size from xdpyinfo ("dimensions:    1280x720 pixels"). */
export function parseScreenSize(text: string): { width: number; height: number } | null {
  const match = /dimensions:\s+(\d+)x(\d+) pixels/.exec(text);
  if (!match) return null;

  return { width: Number(match[1]), height: Number(match[2]) };
}

/**
 * Monitors from `xrandr --listmonitors`, lines such as
 * ` 0: +*DP-1 1920/527x1080/296+0+0  DP-1` (`*` marks the primary one).
 */
export function parseMonitors(text: string): X11Display[] {
  const pattern = /^\s*(\d+):\s+\+?(\*?)(\S+)\s+(\d+)\/\d+x(\d+)\/\d+\+(\d+)\+(\d+)/;
  const found = text.split('\n').flatMap((line) => {
    const m = pattern.exec(line);
    if (!m) return [];
    const [, index, star, name, width, height, x, y] = m;
    const geometry = { x: Number(x), y: Number(y), width: Number(width), height: Number(height) };
    return [{ index: Number(index), primary: star === '*', name: name ?? '', geometry }];
  });
  const hasPrimary = found.some((f) => f.primary);

  return found.map((f, i) => ({
    id: `screen-${f.index}`,
    name: found.length === 1 ? 'Screen' : `Screen ${f.index + 1} (${f.name})`,
    width: f.geometry.width,
    height: f.geometry.height,
    primary: hasPrimary ? f.primary : i === 0,
    geometry: f.geometry,
  }));
}

function wholeScreen(size: { width: number; height: number }): X11Display {
  return {
    id: 'screen-0',
    name: 'Screen',
    ...size,
    primary: true,
    geometry: { x: 0, y: 0, ...size },
  };
}
