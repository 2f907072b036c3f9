import { DEFAULT_RECONNECT_GRACE_MS } from '../sessions/reconnect-deadlines.ts';
import { IceSettingsError } from '../turn/settings.ts';
import { DEFAULT_TRANSPORT_POLICY, type TransportPolicy } from './transport-policy.ts';

/** How sessions connect and how long a broken one waits, as the environment sets them. */
export interface TransportSettings {
  transport: TransportPolicy;
  reconnectGraceMs: number;
}

/**
 * Reads the server's connectivity settings: TETHER_WEBRTC (`on`, the default, or `off`:
 * every session runs on the encrypted relay), TETHER_RELAY_AFTER_SECONDS (how long a
 * console waits for WebRTC before it opens the relay; default 3) and
 * TETHER_RECONNECT_GRACE_SECONDS (how long a running session whose path broke waits for
 * it to come back; default 60). Throws IceSettingsError naming the variable.
 */
export function readTransportEnv(env: NodeJS.ProcessEnv): TransportSettings {
  const webrtc = env.TETHER_WEBRTC?.trim().toLowerCase() || 'on';
  if (webrtc !== 'on' && webrtc !== 'off') {
    throw new IceSettingsError(`TETHER_WEBRTC must be "on" or "off", not "${webrtc}".`);
  }
  const relayAfter = seconds(
    env,
    'TETHER_RELAY_AFTER_SECONDS',
    DEFAULT_TRANSPORT_POLICY.relayAfterMs / 1000,
    1,
    120,
  );
  const grace = seconds(
    env,
    'TETHER_RECONNECT_GRACE_SECONDS',
    DEFAULT_RECONNECT_GRACE_MS / 1000,
    5,
    3600,
  );

  return {
    transport: { webrtc: webrtc === 'on', relayAfterMs: relayAfter * 1000 },
    reconnectGraceMs: grace * 1000,
  };
}

function seconds(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = env[name]?.trim();
  if (!text) return fallback;

  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value < min || value > max) {
    throw new IceSettingsError(
      `${name} must be a number of seconds from ${min} to ${max}, not "${text}".`,
    );
  }
  return value;
}
