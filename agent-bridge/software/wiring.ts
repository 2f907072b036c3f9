import type { ServerToAgent } from '../../shared/protocol/agent.ts';
import type { UpdateDecision, UpdateView } from '../../shared/software.ts';
import { SimulatedDeviceAdapter, type DeviceAdapter } from '../devices/adapter.ts';
import type { DeviceRegistry } from '../devices/registry.ts';
import type { ServerLink } from '../link.ts';
import { subsystem, type Logger } from '../log.ts';
import { updateViews } from './consent-view.ts';
import { LocalJobs } from './local-jobs.ts';
import type { ReleaseKeyPin } from './release-pin.ts';
import { SoftwareAgent } from './service.ts';

/** Software delivery as the rest of the agent sees it. */
export interface SoftwareWiring {
  agent: SoftwareAgent;
  /** What the consent page shows. */
  updates(): UpdateView[];
  answer(jobId: string, decision: UpdateDecision): void;
  /** Calls `listener` after changes, at most every CHANGE_EVERY_MS (downloads change often). */
  onChange(listener: () => void): void;
  stop(): void;
}

const CHANGE_EVERY_MS = 200;

/**
 * Builds the agent's software delivery on its data folder and the server link. Today the
 * only device adapter is the simulated one of the Demo Facility; a site with real
 * devices passes its own `adapter`.
 */
export function startSoftware(options: {
  dataDir: string;
  devices: DeviceRegistry;
  link: ServerLink;
  log: Logger;
  failing: readonly string[];
  /** The server's release key as this agent trusts it. */
  pin: ReleaseKeyPin;
  adapter?: DeviceAdapter;
}): SoftwareWiring {
  const log = subsystem(options.log, 'software');
  const adapter =
    options.adapter ??
    new SimulatedDeviceAdapter({
      registry: options.devices,
      log,
      failing: new Set(options.failing),
    });
  const agent = new SoftwareAgent({
    jobs: new LocalJobs(options.dataDir, log),
    pin: options.pin,
    devices: options.devices,
    adapter,
    send: (message) => options.link.send(message),
    log,
  });
  const onMessage = (message: ServerToAgent): void => agent.handle(message);
  options.link.on('message', onMessage);
  let pending: NodeJS.Timeout | undefined;

  return {
    agent,
    updates: () => updateViews(agent.jobs(), options.devices.list()),
    answer: (jobId, decision) => agent.answer(jobId, decision),
    onChange: (listener) =>
      agent.on('change', () => {
        pending ??= setTimeout(() => {
          pending = undefined;
          listener();
        }, CHANGE_EVERY_MS);
      }),
    stop: () => {
      clearTimeout(pending);
      options.link.off('message', onMessage);
      agent.stop();
    },
  };
}
