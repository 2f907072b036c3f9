import type { PatternLayout } from './pattern-layout.ts';

/**
 * What the bench reads from the console page. The functions in this file run inside the
 * browser (passed to page.evaluate or addInitScript as source), so each is self-contained:
 * no imports, no helpers from outside its own body.
 */
export interface ProbeState {
  /** Video frames the page was handed (requestVideoFrameCallback calls). */
  frames: number;
  /** Milliseconds from the pattern's time stamp to the frame's arrival, one per frame read. */
  ages: number[];
  /** Frames whose stamp could not be read (torn, blurred or not the pattern). */
  unreadable: number;
  /** Milliseconds from a mouse press in the page to the first frame showing its effect. */
  inputLatencies: number[];
  /** Whether the flip square is white in the newest frame. */
  flipWhite: boolean | null;
  /** Set by the bench before a click; the page's pointerdown stamps it. */
  armed: boolean;
  pressedAt: number | null;
  flipBefore: boolean | null;
}

export interface VideoCounters {
  totalFrames: number;
  droppedFrames: number;
  width: number;
  height: number;
}

export interface RtpCounters {
  bytesReceived: number;
  framesDecoded: number;
  framesDropped: number;
  /** Sum of jitter buffer delays in seconds, and how many frames it covers. */
  jitterBufferDelay: number;
  jitterBufferEmitted: number;
  totalDecodeTime: number;
  roundTripTime: number | null;
  /** The video codec, such as video/VP8. */
  codec: string | null;
}

type ProbeWindow = Window & {
  __benchPeers?: RTCPeerConnection[];
  __probe?: ProbeState;
  __readPatternStamp?: (luma: (x: number, y: number) => number, l: PatternLayout) => number | null;
};

/**
 * Added before the console loads: keeps every RTCPeerConnection the page makes, so the
 * bench can read their statistics without reaching into the console's own code. Also
 * defines `__name`, which a transpiler that keeps function names may call in code that
 * the bench sends to the page.
 */
export function recordPeerConnections(): void {
  const w = window as ProbeWindow & { __name?: (f: unknown) => unknown };
  w.__name = (f: unknown) => f;
  w.__benchPeers = [];
  const Original = window.RTCPeerConnection;
  const Recorded = function (this: unknown, ...args: ConstructorParameters<typeof Original>) {
    const pc = new Original(...args);
    w.__benchPeers!.push(pc);
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Recorded.prototype = Original.prototype;
  Object.setPrototypeOf(Recorded, Original);
  window.RTCPeerConnection = Recorded;
}

/** The video element showing the remote desktop: the one with a decoded picture. */
export function hasPlayingVideo(): boolean {
  return [...document.querySelectorAll('video')].some((v) => v.videoWidth > 0 && !v.paused);
}

/**
 * Watches every frame of the remote desktop video: reads the pattern's time stamp and the
 * flip square by drawing two small regions of the frame onto a canvas. Drawing regions,
 * not the whole frame, keeps the probe's own cost out of the browser's CPU figure.
 */
export function installProbe(layout: PatternLayout): void {
  const w = window as ProbeWindow;
  const video = [...document.querySelectorAll('video')].find((v) => v.videoWidth > 0);
  if (!video) throw new Error('no video with a picture on the page');
  const read = w.__readPatternStamp;
  if (!read) throw new Error('the stamp reader was not installed');

  const probe: ProbeState = {
    frames: 0,
    ages: [],
    unreadable: 0,
    inputLatencies: [],
    flipWhite: null,
    armed: false,
    pressedAt: null,
    flipBefore: null,
  };
  w.__probe = probe;

  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 80;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  const top = layout.rowTop;
  const span = 2 * layout.rowHeight + layout.rowGap;
  const flipX = layout.flip.left + (layout.flip.right - layout.flip.left) * 0.15;
  const flipY = layout.flip.top + (layout.flip.bottom - layout.flip.top) * 0.15;

  const onFrame = (): void => {
    const now = Date.now();
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    ctx.drawImage(video, 0, top * vh, vw, span * vh, 0, 0, 256, 64);
    ctx.drawImage(
      video,
      (flipX - 0.01) * vw,
      (flipY - 0.01) * vh,
      0.02 * vw,
      0.02 * vh,
      0,
      64,
      16,
      16,
    );
    const data = ctx.getImageData(0, 0, 256, 80).data;
    const lumaAt = (px: number, py: number): number => {
      const i = (py * 256 + px) * 4;
      return (data[i]! + data[i + 1]! + data[i + 2]!) / 3;
    };
    const luma = (x: number, y: number): number =>
      lumaAt(Math.min(255, Math.floor(x * 256)), Math.min(63, Math.floor(((y - top) / span) * 64)));

    probe.frames += 1;
    const stamp = read(luma, layout);
    if (stamp === null) probe.unreadable += 1;
    else {
      const wrap = 2 ** 32;
      probe.ages.push(((((now % wrap) - stamp) % wrap) + wrap) % wrap);
    }

    const white = lumaAt(8, 72) > 128;
    if (probe.pressedAt !== null && probe.flipBefore !== null && white !== probe.flipBefore) {
      probe.inputLatencies.push(now - probe.pressedAt);
      probe.pressedAt = null;
    }
    probe.flipWhite = white;
    video.requestVideoFrameCallback(onFrame);
  };
  video.requestVideoFrameCallback(onFrame);

  // Capture phase on the window: runs before the console's own handler sends the press.
  window.addEventListener(
    'pointerdown',
    (event) => {
      if (!probe.armed) return;
      probe.armed = false;
      probe.pressedAt = performance.timeOrigin + event.timeStamp;
      probe.flipBefore = probe.flipWhite;
    },
    true,
  );
}

/** The probe's state; `clear` empties the sample lists so a phase starts fresh. */
export function readProbe(clear: boolean): ProbeState {
  const probe = (window as ProbeWindow).__probe!;
  const copy = { ...probe, ages: [...probe.ages], inputLatencies: [...probe.inputLatencies] };
  if (clear) {
    probe.ages.length = 0;
    probe.inputLatencies.length = 0;
    probe.unreadable = 0;
    probe.frames = 0;
  }

  return copy;
}

/** Arms the probe for the next click; false when the flip square is not seen yet. */
export function armClick(): boolean {
  const probe = (window as ProbeWindow).__probe!;
  if (probe.flipWhite === null) return false;
  probe.armed = true;
  probe.pressedAt = null;

  return true;
}

/** Whether the last armed click has been measured (or never arrived). */
export function clickPending(): boolean {
  const probe = (window as ProbeWindow).__probe!;

  return probe.armed || probe.pressedAt !== null;
}

/**
 * Where the flip square's centre is on the page, in CSS pixels, for page.mouse.click.
 * Follows the video's object-fit: `contain` (letterboxed) or `fill`.
 */
export function flipClickTarget(layout: PatternLayout): { x: number; y: number } {
  const video = [...document.querySelectorAll('video')].find((v) => v.videoWidth > 0)!;
  const rect = video.getBoundingClientRect();
  let left = rect.left;
  let top = rect.top;
  let width = rect.width;
  let height = rect.height;
  if (getComputedStyle(video).objectFit !== 'fill') {
    const scale = Math.min(rect.width / video.videoWidth, rect.height / video.videoHeight);
    width = video.videoWidth * scale;
    height = video.videoHeight * scale;
    left += (rect.width - width) / 2;
    top += (rect.height - height) / 2;
  }

  return {
    x: left + ((layout.flip.left + layout.flip.right) / 2) * width,
    y: top + ((layout.flip.top + layout.flip.bottom) / 2) * height,
  };
}

export function readVideoCounters(): VideoCounters {
  const video = [...document.querySelectorAll('video')].find((v) => v.videoWidth > 0)!;
  const quality = video.getVideoPlaybackQuality();

  return {
    totalFrames: quality.totalVideoFrames,
    droppedFrames: quality.droppedVideoFrames,
    width: video.videoWidth,
    height: video.videoHeight,
  };
}

/** Inbound video counters summed over the page's peer connections. */
export async function readRtpCounters(): Promise<RtpCounters> {
  const totals: RtpCounters = {
    bytesReceived: 0,
    framesDecoded: 0,
    framesDropped: 0,
    jitterBufferDelay: 0,
    jitterBufferEmitted: 0,
    totalDecodeTime: 0,
    roundTripTime: null,
    codec: null,
  };
  for (const pc of (window as ProbeWindow).__benchPeers ?? []) {
    const report = await pc.getStats();
    const codecs = new Map<string, string>();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'codec' && typeof s.mimeType === 'string')
        codecs.set(String(s.id), s.mimeType);
    });
    report.forEach((s: Record<string, unknown>) => {
      const num = (key: string): number => (typeof s[key] === 'number' ? (s[key] as number) : 0);
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        totals.bytesReceived += num('bytesReceived');
        totals.framesDecoded += num('framesDecoded');
        totals.framesDropped += num('framesDropped');
        totals.jitterBufferDelay += num('jitterBufferDelay');
        totals.jitterBufferEmitted += num('jitterBufferEmittedCount');
        totals.totalDecodeTime += num('totalDecodeTime');
        totals.codec = codecs.get(String(s.codecId)) ?? totals.codec;
      }
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        if (typeof s.currentRoundTripTime === 'number')
          totals.roundTripTime = s.currentRoundTripTime;
      }
    });
  }

  return totals;
}
