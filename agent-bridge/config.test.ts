import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('fills in defaults relative to the data folder', () => {
    const config = loadConfig({ TETHER_AGENT_DATA_DIR: '/srv/tether/agent' });

    expect(config.serverUrl).toBe('http://localhost:8080');
    expect(config.policyPath).toBe('/srv/tether/agent/policy.json');
    expect(config.dropboxDir).toBe('/srv/tether/dropbox');
    expect(config.consentPort).toBe(5920);
    expect(config.simulateDevices).toBe(false);
    expect(config.staticDir).toBe(resolve(import.meta.dirname, '..', 'dist'));
  });

  it('takes each variable as given', () => {
    const config = loadConfig({
      TETHER_SERVER_URL: 'https://tether.example.org/',
      TETHER_CONSENT_PORT: '0',
      TETHER_SIMULATE_DEVICES: '1',
      TETHER_AGENT_NAME: 'Ward 3 service PC',
      LOG_LEVEL: 'DEBUG',
    });

    expect(config.serverUrl).toBe('https://tether.example.org');
    expect(config.consentPort).toBe(0);
    expect(config.simulateDevices).toBe(true);
    expect(config.name).toBe('Ward 3 service PC');
    expect(config.logLevel).toBe('debug');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ TETHER_SERVER_URL: 'localhost:8080' })).toThrow(/TETHER_SERVER_URL/);
    expect(() => loadConfig({ TETHER_SERVER_URL: 'ftp://x' })).toThrow(/http:\/\/ or https/);
    expect(() => loadConfig({ TETHER_CONSENT_PORT: '70000' })).toThrow(/TETHER_CONSENT_PORT/);
    expect(() => loadConfig({ TETHER_CONSENT_PORT: '-1' })).toThrow(/TETHER_CONSENT_PORT/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});
