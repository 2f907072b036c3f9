import type { Device } from '../../shared/devices.ts';
import type { LicenceBody, PackageKind } from '../../shared/software.ts';
import type { Logger } from '../log.ts';
import type { DeviceRegistry } from './registry.ts';

/** A verified image the agent hands to a device to install. */
export interface InstallImage {
  path: string;
  name: string;
  version: string;
  kind: PackageKind;
}

/** How an install ended. A failure always leaves the device on its previous version. */
export type InstallOutcome =
  | { ok: true; firmware: string }
  | { ok: false; rolledBack: true; reason: string; firmware: string };

/** A licence as a device holds it. */
export interface InstalledLicence {
  licenceId: string;
  options: string[];
  expiresAt: string;
}

/**
 * What the agent needs from a device to service it: install a verified image (with
 * progress, and rolling back by itself when the install fails) and install a licence.
 * The agent verifies signature, checksum, model and expiry before it calls either.
 */
export interface DeviceAdapter {
  installImage(
    device: Device,
    image: InstallImage,
    onProgress: (fraction: number) => void,
  ): Promise<InstallOutcome>;
  installLicence(device: Device, licence: LicenceBody): Promise<void>;
  licences(deviceId: string): InstalledLicence[];
}

export interface SimulatedAdapterOptions {
  registry: DeviceRegistry;
  log: Logger;
  /** How long an install takes, in ms. Default 4000. */
  installMs?: number;
  /**
   * Device IDs whose next installs fail their post-install self-test, for demos and tests
   * (`TETHER_SIMULATE_INSTALL_FAILURE`). Such a device boots the new image, fails the
   * check, and goes back to its previous firmware, as a real dual-bank device does.
   */
  failing?: ReadonlySet<string>;
}

const STEPS = 10;
/** The step at which a failing install's self-test runs, after the new image booted. */
const SELF_TEST_STEP = 8;

/**
 * The Demo Facility's devices. Installing firmware writes the inactive bank, boots it
 * (the registry shows the new version, so consoles see it at once) and runs a self-test;
 * on failure the previous bank is booted again and the previous version restored.
 * Software packages and licences are kept per device in memory.
 */
export class SimulatedDeviceAdapter implements DeviceAdapter {
  readonly #options: SimulatedAdapterOptions;
  readonly #licences = new Map<string, InstalledLicence[]>();
  readonly #software = new Map<string, Map<string, string>>();

  constructor(options: SimulatedAdapterOptions) {
    this.#options = options;
  }

  async installImage(
    device: Device,
    image: InstallImage,
    onProgress: (fraction: number) => void,
  ): Promise<InstallOutcome> {
    const { registry, log } = this.#options;
    const stepMs = (this.#options.installMs ?? 4000) / STEPS;
    const previous = device.firmware;
    const failing = this.#options.failing?.has(device.id) ?? false;

    for (let step = 1; step <= STEPS; step++) {
      await delay(stepMs);
      if (image.kind === 'firmware' && step === SELF_TEST_STEP - 1) {
        this.#setFirmware(device.id, image.version);
      }
      if (failing && step === SELF_TEST_STEP) {
        if (image.kind === 'firmware') this.#setFirmware(device.id, previous);
        const reason = `${device.name} failed its self-test after the install (simulated failure switch); the previous version was restored.`;
        log.warn({ deviceId: device.id, version: image.version }, 'simulated install failed');
        return { ok: false, rolledBack: true, reason, firmware: previous };
      }
      onProgress(step / STEPS);
    }

    if (image.kind === 'software') {
      const installed = this.#software.get(device.id) ?? new Map<string, string>();
      installed.set(image.name, image.version);
      this.#software.set(device.id, installed);
    }
    log.info({ deviceId: device.id, name: image.name, version: image.version }, 'installed');
    return {
      ok: true,
      firmware: registry.list().find((d) => d.id === device.id)?.firmware ?? previous,
    };
  }

  async installLicence(device: Device, licence: LicenceBody): Promise<void> {
    await delay((this.#options.installMs ?? 4000) / STEPS);
    const held = (this.#licences.get(device.id) ?? []).filter(
      (l) => l.licenceId !== licence.licenceId,
    );
    held.push({
      licenceId: licence.licenceId,
      options: licence.options,
      expiresAt: licence.expiresAt,
    });
    this.#licences.set(device.id, held);
  }

  licences(deviceId: string): InstalledLicence[] {
    return [...(this.#licences.get(deviceId) ?? [])];
  }

  #setFirmware(deviceId: string, firmware: string): void {
    const { registry } = this.#options;
    const device = registry.list().find((d) => d.id === deviceId);
    if (device) registry.upsert({ ...device, firmware });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
