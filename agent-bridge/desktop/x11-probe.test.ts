import { describe, expect, it } from 'vitest';
import { parseMonitors, parseScreenSize } from './x11-probe.ts';

describe('X11 probe parsing', () => {
  it('reads the screen size from xdpyinfo', () => {
    expect(
      parseScreenSize('screen #0:\n  dimensions:    1280x720 pixels (325x183 millimeters)'),
    ).toEqual({ width: 1280, height: 720 });
    expect(parseScreenSize('nothing here')).toBeNull();
  });

  it('lists xrandr monitors with their offsets and the primary one', () => {
    const text = [
      'Monitors: 2',
      ' 0: +DP-1 1920/527x1080/296+0+0  DP-1',
      ' 1: +*HDMI-1 1280/340x1024/270+1920+56  HDMI-1',
    ].join('\n');

    expect(parseMonitors(text)).toEqual([
      {
        id: 'screen-0',
        name: 'Screen 1 (DP-1)',
        width: 1920,
        height: 1080,
        primary: false,
        geometry: { x: 0, y: 0, width: 1920, height: 1080 },
      },
      {
        id: 'screen-1',
        name: 'Screen 2 (HDMI-1)',
        width: 1280,
        height: 1024,
        primary: true,
        geometry: { x: 1920, y: 56, width: 1280, height: 1024 },
      },
    ]);
  });

  it('makes the first monitor primary when none is marked (Xvfb)', () => {
    expect(parseMonitors('Monitors: 1\n 0: +screen 1280/339x720/190+0+0  screen')).toMatchObject([
      { id: 'screen-0', name: 'Screen', primary: true },
    ]);
  });
});
