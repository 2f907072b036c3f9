import type { Capability } from '../../shared/capabilities.ts';
import type { AgentToConsoleChannel } from '../../shared/protocol/channel.ts';
import { relayText } from '../../shared/relay/endpoint.ts';
import { RELAY_CHANNELS, type RelayChannel } from '../../shared/relay/protocol.ts';
import type { DesktopService } from '../desktop/service.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import { SessionDesktop } from '../session/desktop-link.ts';
import type { InputDataChannel } from '../session/input-channel.ts';
import { MainChannel } from '../session/main-channel.ts';
import { RelayPicture, type PicturePipe } from './relay-picture.ts';

/** The encrypted pipe the session runs on (see `RelayEndpoint`). */
export interface RelayPipe extends PicturePipe {
  sendText(channel: RelayChannel, text: string): void;
}

export interface RelaySessionOptions {
  sessionId: string;
  granted: readonly Capability[];
  hub: LogHub;
  devices: DeviceRegistry;
  backlogLimit: number;
  /** The agent's desktop, and whether local policy allows screen.view at all. */
  desktop?: { service: DesktopService; allowed: boolean };
  pipe: RelayPipe;
  log: Logger;
}

/**
 * One session served over the encrypted relay: the same main-channel messages as the
 * WebRTC data channel (hello, the log stream, devices, sources, grants, pings, the
 * desktop's requests and status), the same input channel, and the screen as JPEG
 * pictures (`RelayPicture`) in place of the video track. The desktop part is the very
 * `SessionDesktop` a WebRTC peer uses, so grants, policy and input are checked the same
 * way on both paths.
 */
export class RelaySession {
  readonly #options: RelaySessionOptions;
  readonly #log: Logger;
  readonly #main: MainChannel;
  readonly #desktop: SessionDesktop | undefined;
  readonly #picture: RelayPicture | undefined;
  readonly #inputPort: InputDataChannel & { deliver(text: string): void };
  #closed = false;

  constructor(options: RelaySessionOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#inputPort = inputPort(options.pipe);
    const desktop = options.desktop;
    this.#desktop = desktop
      ? new SessionDesktop({
          sessionId: options.sessionId,
          service: desktop.service,
          allowed: desktop.allowed,
          granted: () => this.#main.granted,
          send: (message) => this.#send(message),
          log: this.#log,
        })
      : undefined;
    this.#main = new MainChannel({
      ...options,
      desktop: this.#desktop,
      sink: {
        send: (message) => this.#send(message),
        bufferedAmount: () => options.pipe.bufferedAmount,
      },
    });

    if (!desktop || !this.#desktop) return;
    this.#desktop.acceptInput(this.#inputPort);
    const track = this.#desktop.stream?.getVideoTracks()[0];
    if (!track) return;

    const picture = new RelayPicture({
      pipe: options.pipe,
      viewing: () => desktop.service.viewing(options.sessionId) !== null,
      log: this.#log,
    });
    picture.follow(track);
    // The desktop switches its track when the session moves to another display.
    this.#desktop.useReplaceTrack((_old, next) => picture.follow(next));
    this.#picture = picture;
  }

  /** Greets the console and starts telling it about devices and sources. */
  start(): void {
    this.#main.start();
  }

  /** One whole message from the console on one of the relay's channels. */
  deliver(channel: RelayChannel, bytes: Uint8Array): void {
    if (this.#closed) return;

    const text = relayText(bytes);
    if (channel === RELAY_CHANNELS.input) {
      if (text !== null) this.#inputPort.deliver(text);
      return;
    }
    if (channel === RELAY_CHANNELS.main) {
      this.#main.handle(text);
      return;
    }
    this.#log.debug({ channel }, 'relay message on a channel the console does not send on');
  }

  /** Staff granted or took back capabilities. */
  setGranted(granted: readonly Capability[]): void {
    if (!this.#closed) this.#main.setGranted(granted);
  }

  /** Stops the stream, the picture and the view, and lets go of held input. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#main.close();
    this.#picture?.close();
    this.#desktop?.close();
  }

  #send(message: AgentToConsoleChannel): void {
    if (this.#closed) return;
    this.#options.pipe.sendText(RELAY_CHANNELS.main, JSON.stringify(message));
  }
}

/** The relay's input channel in the shape InputChannel takes from a data channel. */
function inputPort(pipe: RelayPipe): InputDataChannel & { deliver(text: string): void } {
  let open = true;
  const port = {
    get readyState() {
      return open ? 'open' : 'closed';
    },
    onmessage: null as ((event: MessageEvent) => void) | null,
    send: (text: string) => {
      if (open) pipe.sendText(RELAY_CHANNELS.input, text);
    },
    close: () => {
      open = false;
    },
    deliver: (text: string) => port.onmessage?.({ data: text } as MessageEvent),
  };
  return port;
}
