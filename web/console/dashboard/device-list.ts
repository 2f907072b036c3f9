import type { FleetDevice } from '../../../shared/protocol/fleet.ts';

export type SortKey =
  'name' | 'model' | 'serial' | 'firmware' | 'status' | 'battery' | 'calibration' | 'alerts';

export interface SortOrder {
  key: SortKey;
  ascending: boolean;
}

/** Devices whose name, model, serial, firmware, kind or alerts contain every word of `search`. */
export function searchDevices(devices: readonly FleetDevice[], search: string): FleetDevice[] {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...devices];

  return devices.filter((device) => {
    const haystack = [
      device.name,
      device.kind.replaceAll('-', ' '),
      device.manufacturer,
      device.model,
      device.serial,
      device.firmware,
      device.agentName,
      ...device.alerts.map((alert) => alert.label),
    ]
      .join(' ')
      .toLowerCase();
    return words.every((word) => haystack.includes(word));
  });
}

/**
 * Devices in `order`; ties keep name order. Unknown values (no battery reading, no
 * calibration date) sort last either way, so they never hide the ones that matter.
 */
export function sortDevices(devices: readonly FleetDevice[], order: SortOrder): FleetDevice[] {
  const direction = order.ascending ? 1 : -1;
  return [...devices].sort((a, b) => {
    const x = sortValue(a, order.key);
    const y = sortValue(b, order.key);
    if (x === null || y === null) {
      if (x !== y) return x === null ? 1 : -1;
    } else if (x !== y) {
      const compared = typeof x === 'number' && typeof y === 'number' ? x - y : compareText(x, y);
      return compared * direction;
    }
    return compareText(a.name, b.name);
  });
}

function sortValue(device: FleetDevice, key: SortKey): string | number | null {
  switch (key) {
    case 'name':
      return device.name;
    case 'model':
      return `${device.manufacturer} ${device.model}`;
    case 'serial':
      return device.serial;
    case 'firmware':
      return device.firmware;
    case 'status':
      return statusRank(device);
    case 'battery':
      return device.batteryHealthPct;
    case 'calibration':
      return device.calibrationDue;
    case 'alerts':
      return device.alerts.reduce((sum, alert) => sum + (alert.level === 'danger' ? 10 : 1), 0);
  }
}

/** Online first, then devices the agent reports offline, then those whose agent is away. */
function statusRank(device: FleetDevice): number {
  if (device.online) return 0;
  return device.agentOnline ? 1 : 2;
}

function compareText(a: string | number, b: string | number): number {
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

/** The device's status in words. */
export function statusLabel(device: FleetDevice): string {
  if (!device.agentOnline) return 'Agent offline';
  return device.online ? 'Online' : 'Offline';
}
