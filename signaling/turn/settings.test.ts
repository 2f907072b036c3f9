import { describe, expect, it } from 'vitest';
import { checkIceSettings, IceSettingsError, readIceEnv } from './settings.ts';

const SECRET = 'a-long-enough-secret-value';

describe('readIceEnv', () => {
  it('has no TURN rung and policy all when nothing is set', () => {
    expect(readIceEnv({})).toEqual({ iceTransportPolicy: 'all' });
  });

  it('reads comma-separated URLs, the secret, the lifetime and the policy', () => {
    const settings = readIceEnv({
      TETHER_TURN_URLS: ' turn:turn.example.org:3478 , turns:turn.example.org:443?transport=tcp',
      TETHER_TURN_SECRET: SECRET,
      TETHER_TURN_TTL_SECONDS: '600',
      TETHER_ICE_TRANSPORT_POLICY: 'relay',
    });

    expect(settings).toEqual({
      turn: {
        urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:443?transport=tcp'],
        agentUrls: ['turn:turn.example.org:3478', 'turns:turn.example.org:443?transport=tcp'],
        secret: SECRET,
        ttlSeconds: 600,
      },
      iceTransportPolicy: 'relay',
    });
  });

  it('gives agents their own URLs when TETHER_TURN_AGENT_URLS is set', () => {
    const settings = readIceEnv({
      TETHER_TURN_URLS: 'turns:turn.example.org:443?transport=tcp',
      TETHER_TURN_AGENT_URLS: 'turn:10.40.0.9:3478?transport=tcp',
      TETHER_TURN_SECRET: SECRET,
    });

    expect(settings.turn?.urls).toEqual(['turns:turn.example.org:443?transport=tcp']);
    expect(settings.turn?.agentUrls).toEqual(['turn:10.40.0.9:3478?transport=tcp']);
  });

  it('names the agent setting when one of its URLs is wrong', () => {
    const env = {
      TETHER_TURN_URLS: 'turn:turn.example.org',
      TETHER_TURN_AGENT_URLS: 'http://turn.example.org',
      TETHER_TURN_SECRET: SECRET,
    };

    expect(() => readIceEnv(env)).toThrow(
      'TETHER_TURN_AGENT_URLS: "http://turn.example.org" is not a TURN URL',
    );
  });

  it('reads the secret from a file without its trailing newline', () => {
    const settings = readIceEnv(
      { TETHER_TURN_URLS: 'turn:10.1.2.3', TETHER_TURN_SECRET_FILE: '/run/secrets/turn' },
      (path) => (path === '/run/secrets/turn' ? `${SECRET}\n` : ''),
    );

    expect(settings.turn?.secret).toBe(SECRET);
    expect(settings.turn?.ttlSeconds).toBe(3600);
  });

  it.each([
    [
      { TETHER_ICE_TRANSPORT_POLICY: 'tcp' },
      'TETHER_ICE_TRANSPORT_POLICY must be "all" or "relay"',
    ],
    [{ TETHER_ICE_TRANSPORT_POLICY: 'relay' }, 'relay needs TURN servers'],
    [{ TETHER_TURN_SECRET: SECRET }, 'TETHER_TURN_URLS is empty'],
    [{ TETHER_TURN_URLS: 'turn:a.example' }, 'also set TETHER_TURN_SECRET_FILE'],
    [{ TETHER_TURN_URLS: 'stun:a.example', TETHER_TURN_SECRET: SECRET }, 'is not a TURN URL'],
    [{ TETHER_TURN_URLS: 'https://a.example', TETHER_TURN_SECRET: SECRET }, 'is not a TURN URL'],
    [{ TETHER_TURN_URLS: 'turn:a.example:70000', TETHER_TURN_SECRET: SECRET }, 'no valid port'],
    [
      { TETHER_TURN_URLS: 'turns:a.example?transport=udp', TETHER_TURN_SECRET: SECRET },
      'browsers do not speak',
    ],
    [{ TETHER_TURN_URLS: 'turn:a.example', TETHER_TURN_SECRET: 'short' }, 'at least 16'],
    [
      {
        TETHER_TURN_URLS: 'turn:a.example',
        TETHER_TURN_SECRET: SECRET,
        TETHER_TURN_TTL_SECONDS: '1h',
      },
      'whole number of seconds, not "1h"',
    ],
    [
      {
        TETHER_TURN_URLS: 'turn:a.example',
        TETHER_TURN_SECRET: SECRET,
        TETHER_TURN_TTL_SECONDS: '5',
      },
      'from 60 to 86400',
    ],
    [
      {
        TETHER_TURN_URLS: 'turn:a.example',
        TETHER_TURN_SECRET: SECRET,
        TETHER_TURN_SECRET_FILE: '/x',
      },
      'not both',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => readIceEnv(env)).toThrow(IceSettingsError);
    expect(() => readIceEnv(env)).toThrow(message);
  });

  it('names the secret file it cannot read', () => {
    const env = { TETHER_TURN_URLS: 'turn:a.example', TETHER_TURN_SECRET_FILE: '/nowhere/turn' };

    expect(() => readIceEnv(env)).toThrow(
      'TETHER_TURN_SECRET_FILE /nowhere/turn: cannot read it (ENOENT)',
    );
  });
});

describe('checkIceSettings', () => {
  it('names the startSignaling options in its messages', () => {
    expect(() => checkIceSettings(undefined, 'relay')).toThrow('iceTransportPolicy=relay');
    expect(() => checkIceSettings({ urls: [], secret: SECRET }, 'all')).toThrow(
      'turn.urls lists no URL',
    );
  });

  it('accepts bracketed IPv6 hosts', () => {
    const settings = checkIceSettings(
      { urls: ['turn:[2001:db8::1]:3478?transport=udp'], secret: SECRET },
      undefined,
    );

    expect(settings.iceTransportPolicy).toBe('all');
    expect(settings.turn?.urls).toEqual(['turn:[2001:db8::1]:3478?transport=udp']);
  });
});
