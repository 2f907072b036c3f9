import { InputReply, type InputMessage } from '../../../../shared/protocol/desktop.ts';
import { receive } from '../../../lib/inbound.ts';
import { createLogger } from '../../../lib/log.ts';

const log = createLogger('input');

/**
 * Bytes queued on the channel past which pointer moves are dropped: a move is replaced
 * by the next one anyway, and a backlog of them would delay the click that follows.
 */
const MOVE_HIGH_WATER = 64 * 1024;

/**
 * The console's end of the ordered `input` data channel: mouse, keyboard and clipboard
 * go out, clipboard text and refusals come back (validated). Messages sent before the
 * channel opens, or after it closed, are dropped: stale input must never land later.
 */
export class InputChannel {
  readonly #channel: RTCDataChannel;
  #closed = false;

  constructor(channel: RTCDataChannel, onReply: (reply: InputReply) => void) {
    this.#channel = channel;
    channel.onmessage = (event: MessageEvent<unknown>) => {
      if (this.#closed) return;

      const reply = receive(InputReply, String(event.data), log);
      if (reply) onReply(reply);
    };
    channel.onopen = () => log.info('input channel open');
    channel.onclose = () => log.debug('input channel closed');
  }

  get open(): boolean {
    return !this.#closed && this.#channel.readyState === 'open';
  }

  send(message: InputMessage): void {
    if (!this.open) {
      log.debug('input channel not open; dropped', { type: message.type });
      return;
    }
    if (message.type === 'pointer.move' && this.#channel.bufferedAmount > MOVE_HIGH_WATER) return;

    try {
      this.#channel.send(JSON.stringify(message));
    } catch (error) {
      log.warn('input send failed', { message: String(error) });
    }
  }

  /** Stops listening; the channel itself closes with its peer connection. */
  close(): void {
    this.#closed = true;
    this.#channel.onmessage = null;
  }
}
