import { EventEmitter } from 'node:events';
import type { Device } from '../../shared/devices.ts';

interface RegistryEvents {
  change: [Device[]];
}

/**
 * The facility's devices as the agent knows them. Whoever learns something about a
 * device (the simulator today, real adapters later) updates it here; the server link
 * and open sessions listen for 'change' and pass the whole list on.
 */
export class DeviceRegistry extends EventEmitter<RegistryEvents> {
  readonly #devices = new Map<string, Device>();

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  list(): Device[] {
    return [...this.#devices.values()];
  }

  /** Adds a device or replaces it by id; listeners hear the new list. */
  upsert(device: Device): void {
    this.#devices.set(device.id, device);
    this.emit('change', this.list());
  }

  /** Marks a device online or offline; no event when nothing changed. */
  setOnline(id: string, online: boolean, at = new Date()): void {
    const device = this.#devices.get(id);
    if (!device || device.online === online) return;

    this.upsert({ ...device, online, lastSeen: at.toISOString() });
  }
}
