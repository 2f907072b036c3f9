import type { Capability } from '../../shared/capabilities.ts';
import type { Device } from '../../shared/devices.ts';
import type { LogSource } from '../../shared/logs.ts';
import {
  ConsoleToAgentChannel,
  type AgentToConsoleChannel,
} from '../../shared/protocol/channel.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import { relayText } from '../../shared/relay/endpoint.ts';
import { RELAY_CHANNELS, type RelayChannel } from '../../shared/relay/protocol.ts';
import type { DesktopService } from '../desktop/service.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import { SessionDesktop } from '../session/desktop-link.ts';
import type { InputDataChannel } from '../session/input-channel.ts';
import { LogStream } from '../session/log-stream.ts';
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

const NO_DESKTOP = 'The remote desktop is not available on this agent.';

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
  readonly #stream: LogStream;
  readonly #desktop: SessionDesktop | undefined;
  readonly #picture: RelayPicture | undefined;
  readonly #inputPort: InputDataChannel & { deliver(text: string): void };
  #granted: Capability[];
  #closed = false;
  readonly #onDevices = (devices: Device[]) => this.#send({ type: 'devices', devices });
  readonly #onSources = (sources: LogSource[]) => this.#send({ type: 'logs.sources', sources });

  constructor(options: RelaySessionOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#granted = [...options.granted];
    this.#stream = new LogStream({
      hub: options.hub,
      log: this.#log,
      sink: {
        send: (message) => this.#send(message),
        bufferedAmount: () => options.pipe.bufferedAmount,
      },
    });
    this.#inputPort = inputPort(options.pipe);

    const desktop = options.desktop;
    if (!desktop) return;
    this.#desktop = new SessionDesktop({
      sessionId: options.sessionId,
      service: desktop.service,
      allowed: desktop.allowed,
      granted: () => this.#granted,
      send: (message) => this.#send(message),
      log: this.#log,
    });
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
    const { sessionId, devices, hub } = this.#options;
    this.#send({
      type: 'hello',
      sessionId,
      granted: [...this.#granted],
      devices: devices.list(),
      sources: hub.sources(),
    });
    this.#desktop?.sendStatus(true);
    devices.on('change', this.#onDevices);
    hub.on('sources', this.#onSources);
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
      this.#onMain(text);
      return;
    }
    this.#log.debug({ channel }, 'relay message on a channel the console does not send on');
  }

  /** Staff granted or took back capabilities. */
  setGranted(granted: readonly Capability[]): void {
    if (this.#closed) return;
    this.#granted = [...granted];

    this.#send({ type: 'granted', granted: [...granted] });
    if (!granted.includes('logs.read')) this.#stream.unsubscribe();
    this.#desktop?.grantsChanged();
  }

  /** Stops the stream, the picture and the view, and lets go of held input. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream.unsubscribe();
    this.#picture?.close();
    this.#desktop?.close();
    this.#options.devices.off('change', this.#onDevices);
    this.#options.hub.off('sources', this.#onSources);
  }

  #onMain(text: string | null): void {
    const parsed = parseMessage(ConsoleToAgentChannel, text);
    if (!parsed.ok) {
      this.#log.warn({ code: parsed.error.code, error: parsed.error.message }, 'bad relay message');
      this.#send({ type: 'error', ...parsed.error });
      return;
    }

    const message = parsed.value;
    this.#log.debug({ type: message.type }, 'relay message');
    switch (message.type) {
      case 'logs.subscribe':
        if (!this.#granted.includes('logs.read')) {
          this.#send({
            type: 'error',
            code: 'capability_not_allowed',
            message: 'Reading logs was not granted for this session.',
          });
          return;
        }
        this.#stream.subscribe(Math.min(message.backlog, this.#options.backlogLimit));
        this.#log.info({ backlog: message.backlog }, 'log stream started on the relay');
        return;
      case 'logs.unsubscribe':
        this.#stream.unsubscribe();
        return;
      case 'ping':
        this.#send({ type: 'pong', t: message.t });
        return;
      case 'pong':
        return;
      case 'desktop.view':
      case 'desktop.stop':
        if (this.#desktop) void this.#desktop.request(message);
        else this.#send({ type: 'error', code: 'invalid_state', message: NO_DESKTOP });
        return;
    }
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
