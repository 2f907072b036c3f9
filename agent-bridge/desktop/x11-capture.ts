import { spawn } from 'node:child_process';
import type { Logger } from '../log.ts';
import { FrameCutter } from './frame-cutter.ts';
import { lastLine } from './run.ts';
import type { Capture, CaptureEnd, Frame } from './types.ts';
import type { Geometry } from './x11-input.ts';

export interface X11CaptureOptions {
  ffmpeg: string;
  /** The X display name, e.g. `:0`. */
  display: string;
  geometry: Geometry;
  env: NodeJS.ProcessEnv;
  log: Logger;
  framerate?: number;
  onFrame: (frame: Frame) => void;
}

/** How long a capture may take to end after SIGTERM before it is killed. */
const STOP_GRACE_MS = 2000;

/**
 * Captures part of an X screen with ffmpeg's x11grab and hands on raw I420 frames read
 * from its stdout. I420 halves the colour planes, so an odd width or height loses its
 * last column or row. Node reaps the process when it ends, so no zombie stays behind.
 */
export function startX11Capture(options: X11CaptureOptions): Capture {
  const { geometry, log } = options;
  const width = geometry.width & ~1;
  const height = geometry.height & ~1;
  const args = [
    ...['-hide_banner', '-nostdin', '-loglevel', 'error'],
    ...['-f', 'x11grab', '-draw_mouse', '1', '-framerate', String(options.framerate ?? 30)],
    ...['-video_size', `${width}x${height}`],
    ...['-i', `${options.display}+${geometry.x},${geometry.y}`],
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'],
  ];
  const child = spawn(options.ffmpeg, args, {
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const cutter = new FrameCutter(width, height, options.onFrame);
  let stderr = '';
  let stopping = false;

  child.stdout.on('data', (chunk: Buffer) => cutter.push(chunk));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));

  const ended = new Promise<CaptureEnd>((resolve) => {
    child.once('error', (error) => {
      resolve({ expected: stopping, reason: `ffmpeg could not start: ${error.message}` });
    });
    child.once('exit', (code, signal) => {
      const why = lastLine(stderr) || `ffmpeg ended (${signal ?? `exit code ${code}`})`;
      resolve({ expected: stopping, reason: `Screen capture stopped: ${why}` });
    });
  });
  log.debug({ pid: child.pid, width, height }, 'capture started');

  return {
    pid: child.pid,
    ended,
    async stop() {
      if (!stopping) {
        stopping = true;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await ended;
        clearTimeout(killer);
        log.debug({ pid: child.pid }, 'capture stopped');
      }
      await ended;
    },
  };
}
