import type { Capability } from '../../shared/capabilities.ts';
import type { Device } from '../../shared/devices.ts';
import type { LogSource } from '../../shared/logs.ts';
import {
  ConsoleToAgentChannel,
  type AgentToConsoleChannel,
} from '../../shared/protocol/channel.ts';
import { parseMessage } from '../../shared/protocol/common.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { Logger } from '../log.ts';
import type { LogHub } from '../logs/hub.ts';
import type { SessionDesktop } from './desktop-link.ts';
import { LogStream, type ChannelSink } from './log-stream.ts';

export interface MainChannelOptions {
  sessionId: string;
  granted: readonly Capability[];
  hub: LogHub;
  devices: DeviceRegistry;
  /** Most backlog lines sent, whatever the console asks for. */
  backlogLimit: number;
  /** The session's desktop part, when the agent has a desktop. */
  desktop?: SessionDesktop;
  /** Where messages go: a WebRTC data channel or the encrypted relay. */
  sink: ChannelSink;
  log: Logger;
}

const NO_DESKTOP = 'The remote desktop is not available on this agent.';

/**
 * The session's main channel as the agent serves it, whatever carries it (the WebRTC
 * data channel or the encrypted relay): the hello, the log stream (resumed after a
 * given `seq` when the console comes back on a new path), device and source changes,
 * pings, grants, and the desktop's requests. Both paths check grants and policy here,
 * in one place.
 */
export class MainChannel {
  readonly #options: MainChannelOptions;
  readonly #log: Logger;
  readonly #stream: LogStream;
  #granted: Capability[];
  #started = false;
  #closed = false;
  readonly #onDevices = (devices: Device[]) => this.send({ type: 'devices', devices });
  readonly #onSources = (sources: LogSource[]) => this.send({ type: 'logs.sources', sources });

  constructor(options: MainChannelOptions) {
    this.#options = options;
    this.#log = options.log;
    this.#granted = [...options.granted];
    this.#stream = new LogStream({ hub: options.hub, log: this.#log, sink: options.sink });
  }

  /** What the session may do now. */
  get granted(): Capability[] {
    return this.#granted;
  }

  /** Greets the console and starts telling it about devices and sources. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;

    const { sessionId, devices, hub } = this.#options;
    this.send({
      type: 'hello',
      sessionId,
      granted: [...this.#granted],
      devices: devices.list(),
      sources: hub.sources(),
    });
    this.#options.desktop?.sendStatus(true);
    devices.on('change', this.#onDevices);
    hub.on('sources', this.#onSources);
  }

  /** One message from the console, as text (null when it was not text). */
  handle(raw: string | null): void {
    if (this.#closed) return;

    const parsed = parseMessage(ConsoleToAgentChannel, raw);
    if (!parsed.ok) {
      this.#log.warn({ code: parsed.error.code, error: parsed.error.message }, 'bad message');
      this.send({ type: 'error', ...parsed.error });
      return;
    }

    const message = parsed.value;
    this.#log.debug({ type: message.type }, 'channel message');
    switch (message.type) {
      case 'logs.subscribe':
        this.#subscribe(message.backlog, message.after);
        return;
      case 'logs.unsubscribe':
        this.#stream.unsubscribe();
        return;
      case 'ping':
        this.send({ type: 'pong', t: message.t });
        return;
      case 'pong':
        return;
      case 'desktop.view':
      case 'desktop.stop':
        if (this.#options.desktop) void this.#options.desktop.request(message);
        else this.send({ type: 'error', code: 'invalid_state', message: NO_DESKTOP });
        return;
    }
  }

  /**
   * Staff granted or took back capabilities: tell the console, and stop at once what the
   * session may no longer do.
   */
  setGranted(granted: readonly Capability[]): void {
    if (this.#closed) return;
    this.#granted = [...granted];

    this.send({ type: 'granted', granted: [...granted] });
    if (!granted.includes('logs.read')) this.#stream.unsubscribe();
    this.#options.desktop?.grantsChanged();
  }

  send(message: AgentToConsoleChannel): void {
    if (!this.#closed) this.#options.sink.send(message);
  }

  /** Stops the stream and the listeners. Idempotent; the desktop is its owner's to close. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;

    this.#stream.unsubscribe();
    this.#options.devices.off('change', this.#onDevices);
    this.#options.hub.off('sources', this.#onSources);
  }

  #subscribe(backlog: number, after: number | undefined): void {
    if (!this.#granted.includes('logs.read')) {
      this.send({
        type: 'error',
        code: 'capability_not_allowed',
        message: 'Reading logs was not granted for this session.',
      });
      return;
    }

    // Said first, so that the console shows the gap before the lines that follow it.
    const missed = after !== undefined && after >= 0 ? this.#options.hub.since(after).missed : 0;
    if (missed > 0) this.send({ type: 'logs.missed', count: missed });
    this.#stream.subscribe(Math.min(backlog, this.#options.backlogLimit), after);
    this.#log.info({ backlog, after, missed }, 'log stream started');
  }
}
