import { describe, expect, it } from 'vitest';
import { readTransportEnv } from './transport-env.ts';

describe('readTransportEnv', () => {
  it('defaults to WebRTC first, the relay after 3 s, and a 60 s grace', () => {
    expect(readTransportEnv({})).toEqual({
      transport: { webrtc: true, relayAfterMs: 3_000 },
      reconnectGraceMs: 60_000,
    });
  });

  it('reads every setting', () => {
    const settings = readTransportEnv({
      TETHER_WEBRTC: 'off',
      TETHER_RELAY_AFTER_SECONDS: '2.5',
      TETHER_RECONNECT_GRACE_SECONDS: '90',
    });
    expect(settings).toEqual({
      transport: { webrtc: false, relayAfterMs: 2_500 },
      reconnectGraceMs: 90_000,
    });
  });

  it('names the variable of a value that cannot work', () => {
    expect(() => readTransportEnv({ TETHER_WEBRTC: 'maybe' })).toThrow(/TETHER_WEBRTC/);
    expect(() => readTransportEnv({ TETHER_RELAY_AFTER_SECONDS: '0' })).toThrow(
      /TETHER_RELAY_AFTER_SECONDS must be a number of seconds from 1 to 120, not "0"/,
    );
    expect(() => readTransportEnv({ TETHER_RECONNECT_GRACE_SECONDS: 'a minute' })).toThrow(
      /TETHER_RECONNECT_GRACE_SECONDS/,
    );
  });
});
