/** Bytes moved per rung: large enough that connection start-up is a small part of it. */
export const TRANSFER_BYTES = 64 * 1024 * 1024;
/** One message; well under the 256 KiB a data channel between libwebrtc peers accepts. */
export const CHUNK_BYTES = 64 * 1024;
/**
 * Stop handing the transport more once this much waits in its send buffer. Near 1 MiB a
 * data channel stays busy without queueing seconds of data (see the WebRTC notes).
 */
export const HIGH_WATER_BYTES = 1024 * 1024;

/** One transport's sending end, as the bench drives it. */
export interface Sink {
  send(chunk: Uint8Array): void;
  /** Bytes given to `send` and not yet on the wire. */
  bufferedAmount(): number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sends `total` bytes in CHUNK_BYTES messages, waiting whenever the sink holds more than
 * HIGH_WATER_BYTES. The wait is a 1 ms poll: libwebrtc under Node has no
 * bufferedamountlow event, and the same poll on every rung keeps them comparable.
 */
export async function sendAll(sink: Sink, total: number = TRANSFER_BYTES): Promise<void> {
  const chunk = new Uint8Array(CHUNK_BYTES);
  // Not all zeros, so that no layer could shortcut the payload.
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 131 + 7) & 0xff;

  for (let sent = 0; sent < total; sent += CHUNK_BYTES) {
    while (sink.bufferedAmount() > HIGH_WATER_BYTES) await sleep(1);
    const size = Math.min(CHUNK_BYTES, total - sent);
    sink.send(size === CHUNK_BYTES ? chunk : chunk.subarray(0, size));
  }
}
