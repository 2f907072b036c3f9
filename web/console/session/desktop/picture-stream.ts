import type { StatsReport } from '../connection-path.ts';

/** A canvas track that can be asked for a frame, as Chromium's CanvasCaptureMediaStreamTrack. */
type CanvasTrack = MediaStreamTrack & { requestFrame?: () => void };

/**
 * The screen as it arrives over the encrypted relay: whole JPEG pictures, decoded by the
 * browser and drawn into a canvas whose capture stream the viewer plays exactly like the
 * WebRTC video track, so fit, actual size, full screen and input mapping work unchanged.
 * A picture that arrives while the previous one is still decoding replaces any waiting
 * one: what is shown is never more than one picture behind.
 */
export class PictureStream {
  readonly stream: MediaStream;
  readonly #canvas: HTMLCanvasElement;
  readonly #track: CanvasTrack | undefined;
  #decoding = false;
  #waiting: Uint8Array | null = null;
  #shown = 0;
  #width = 0;
  #height = 0;
  #roundTripMs: number | null = null;
  #closed = false;

  constructor() {
    this.#canvas = document.createElement('canvas');
    // A frame only when asked for: each picture is one frame, none in between.
    this.stream = this.#canvas.captureStream(0);
    this.#track = this.stream.getVideoTracks()[0] as CanvasTrack | undefined;
  }

  /** One JPEG picture from the agent. */
  show(jpeg: Uint8Array): void {
    if (this.#closed) return;
    if (this.#decoding) {
      this.#waiting = jpeg;
      return;
    }
    void this.#draw(jpeg);
  }

  setRoundTrip(ms: number): void {
    this.#roundTripMs = ms;
  }

  /**
   * Reports shaped like getStats() (an inbound video stream and a selected candidate
   * pair), so the overlay reads the relay the way it reads WebRTC.
   */
  stats(bytesReceived: number): StatsReport[] {
    const reports: StatsReport[] = [
      {
        id: 'relay-video',
        type: 'inbound-rtp',
        kind: 'video',
        timestamp: performance.timeOrigin + performance.now(),
        bytesReceived,
        framesDecoded: this.#shown,
        frameWidth: this.#width || undefined,
        frameHeight: this.#height || undefined,
      },
    ];
    if (this.#roundTripMs !== null) {
      reports.push(
        { id: 'relay-transport', type: 'transport', selectedCandidatePairId: 'relay-pair' },
        {
          id: 'relay-pair',
          type: 'candidate-pair',
          state: 'succeeded',
          nominated: true,
          currentRoundTripTime: this.#roundTripMs / 1000,
        },
      );
    }
    return reports;
  }

  close(): void {
    this.#closed = true;
    this.#waiting = null;
    for (const track of this.stream.getTracks()) track.stop();
  }

  async #draw(jpeg: Uint8Array): Promise<void> {
    this.#decoding = true;
    try {
      const bitmap = await createImageBitmap(new Blob([jpeg as BlobPart], { type: 'image/jpeg' }));
      if (this.#closed) {
        bitmap.close();
        return;
      }
      if (this.#canvas.width !== bitmap.width || this.#canvas.height !== bitmap.height) {
        this.#canvas.width = bitmap.width;
        this.#canvas.height = bitmap.height;
      }
      this.#canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
      this.#width = bitmap.width;
      this.#height = bitmap.height;
      bitmap.close();
      this.#track?.requestFrame?.();
      this.#shown += 1;
    } catch {
      // A picture that does not decode is skipped; the next one replaces it anyway.
    } finally {
      this.#decoding = false;
    }

    const next = this.#waiting;
    this.#waiting = null;
    if (next && !this.#closed) void this.#draw(next);
  }
}
