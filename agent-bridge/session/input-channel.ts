import { TetherError } from '../../shared/errors.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import { InputMessage, type InputReply } from '../../shared/protocol/desktop.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../log.ts';

/** The part of a data channel this file uses; wrtc's and the DOM's both fit. */
export interface InputDataChannel {
  readonly readyState: string;
  onmessage: ((event: MessageEvent) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface InputChannelOptions {
  channel: InputDataChannel;
  /** Whether the session may drive the desktop right now (`screen.control`). */
  mayControl: () => boolean;
  /** Applies one message on the desktop; may answer (clipboard.get). */
  apply: (message: InputMessage) => Promise<InputReply | null>;
  log: Logger;
}

export const CONTROL_NOT_GRANTED = 'Remote control was not granted by the facility.';

/** Messages waiting to be applied; past this, pointer moves are dropped. */
const MAX_QUEUED = 300;
/** A console that keeps sending without control hears "refused" at most this often. */
const REFUSAL_INTERVAL_MS = 1000;

type KeyMessage = Extract<InputMessage, { type: 'key' }>;
type ButtonMessage = Extract<InputMessage, { type: 'pointer.button' }>;

/**
 * One session's ordered 'input' data channel. Each message is validated, refused here
 * without `screen.control` (the page hiding its controls is not the safeguard), and
 * otherwise applied strictly in order, so that a clipboard.set lands before the Ctrl+V
 * that follows it. Keys and buttons still held when control ends are released, so a
 * Ctrl the technician was holding does not stay down on the facility's computer.
 */
export class InputChannel {
  readonly #options: InputChannelOptions;
  readonly #log: Logger;
  readonly #heldKeys = new Map<string, KeyMessage>();
  readonly #heldButtons = new Map<string, ButtonMessage>();
  #chain: Promise<void> = Promise.resolve();
  #queued = 0;
  #lastRefusal = 0;
  #refusalLogged = false;
  #badLogged = false;
  #closed = false;

  constructor(options: InputChannelOptions) {
    this.#options = options;
    this.#log = options.log;
    options.channel.onmessage = (event) => this.#onMessage(event.data);
  }

  /** Lets go of every key and button this session holds down. */
  releaseAll(): void {
    const releases: InputMessage[] = [
      ...[...this.#heldKeys.values()].map((m) => ({ ...m, down: false })),
      ...[...this.#heldButtons.values()].map((m) => ({ ...m, down: false })),
    ];
    this.#heldKeys.clear();
    this.#heldButtons.clear();
    for (const message of releases) this.#enqueue(message, false);
  }

  /** Releases what is held and closes the channel. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.releaseAll();
    this.#closed = true;
    this.#options.channel.onmessage = null;
    try {
      this.#options.channel.close();
    } catch {
      // Already closed with its connection.
    }
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return;
    const parsed = parseMessage(InputMessage, typeof data === 'string' ? data : null);
    if (!parsed.ok) {
      // A broken console could send this 60 times a second: warn once, then debug.
      const level = this.#badLogged ? 'debug' : 'warn';
      this.#badLogged = true;
      this.#log[level](
        { code: parsed.error.code, error: parsed.error.message },
        'bad input message',
      );
      return;
    }

    const message = parsed.value;
    if (!this.#options.mayControl()) {
      this.#refuse(CONTROL_NOT_GRANTED);
      if (!this.#refusalLogged) {
        this.#refusalLogged = true;
        this.#log.info({ type: message.type }, 'input refused: remote control not granted');
      }
      return;
    }

    this.#track(message);
    this.#enqueue(message, true);
  }

  #enqueue(message: InputMessage, dropWhenBusy: boolean): void {
    if (dropWhenBusy && this.#queued >= MAX_QUEUED && message.type === 'pointer.move') return;

    this.#queued += 1;
    this.#chain = this.#chain.then(async () => {
      this.#queued -= 1;
      try {
        const reply = await this.#options.apply(message);
        if (reply) this.#reply(reply);
      } catch (error) {
        this.#log.debug({ type: message.type, error: describeError(error) }, 'input failed');
        const reason =
          error instanceof TetherError ? error.message : 'The service computer did not take it.';
        this.#refuse(reason, true);
      }
    });
  }

  #track(message: InputMessage): void {
    if (message.type === 'key') {
      const id = message.code || message.key;
      if (message.down) this.#heldKeys.set(id, message);
      else this.#heldKeys.delete(id);
    } else if (message.type === 'pointer.button') {
      if (message.down) this.#heldButtons.set(message.button, message);
      else this.#heldButtons.delete(message.button);
    }
  }

  #refuse(reason: string, always = false): void {
    const now = Date.now();
    if (!always && now - this.#lastRefusal < REFUSAL_INTERVAL_MS) return;

    this.#lastRefusal = now;
    this.#reply({ type: 'input.refused', reason: reason.slice(0, 500) });
  }

  #reply(reply: InputReply): void {
    if (this.#closed || this.#options.channel.readyState !== 'open') return;
    try {
      this.#options.channel.send(JSON.stringify(reply));
    } catch (error) {
      this.#log.debug({ error: describeError(error) }, 'input reply not sent');
    }
  }
}
