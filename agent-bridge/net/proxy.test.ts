import { HttpsProxyAgent } from 'https-proxy-agent';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserError } from '../errors.ts';
import { describeProxy, proxyAgent, proxyFor, proxySocketOptions } from './proxy.ts';

const PROXY_VARIABLES = [
  'http_proxy',
  'HTTP_PROXY',
  'https_proxy',
  'HTTPS_PROXY',
  'all_proxy',
  'ALL_PROXY',
  'no_proxy',
  'NO_PROXY',
];

/**
 * proxy-from-env reads process.env itself, so the tests set it through vitest, which puts
 * every variable back after each test. Variables not named are emptied.
 */
function environment(values: Record<string, string>): void {
  for (const name of PROXY_VARIABLES) vi.stubEnv(name, values[name] ?? '');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

function userErrorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('proxyFor', () => {
  it('takes HTTPS_PROXY for https:// and HTTP_PROXY for http://', () => {
    environment({ HTTPS_PROXY: 'http://secure-proxy:3128', HTTP_PROXY: 'http://plain:8080' });

    expect(proxyFor('https://tether.example.com')?.href).toBe('http://secure-proxy:3128/');
    expect(proxyFor('http://tether.example.com:8080')?.href).toBe('http://plain:8080/');
  });

  it('prefers the lower-case variable and goes direct when none is set', () => {
    environment({ https_proxy: 'http://lower:3128', HTTPS_PROXY: 'http://upper:3128' });
    expect(proxyFor('https://tether.example.com')?.host).toBe('lower:3128');

    environment({});
    expect(proxyFor('https://tether.example.com')).toBeUndefined();
  });

  it('goes direct to hosts NO_PROXY lists', () => {
    environment({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'localhost, .hospital.local' });

    expect(proxyFor('https://localhost:8443')).toBeUndefined();
    expect(proxyFor('https://tether.hospital.local')).toBeUndefined();
    expect(proxyFor('https://tether.example.com')?.host).toBe('proxy:3128');
  });

  it('reads a proxy without a scheme as http://, as curl does', () => {
    environment({ HTTPS_PROXY: 'proxy.hospital.local:3128' });

    expect(proxyFor('https://tether.example.com')?.href).toBe('http://proxy.hospital.local:3128/');
  });

  it('refuses a malformed proxy with a UserError naming the variable, not its value', () => {
    environment({ HTTPS_PROXY: 'http://' });
    expect(userErrorOf(() => proxyFor('https://tether.example.com')).message).toMatch(
      /^HTTPS_PROXY is not a proxy URL/,
    );

    environment({ http_proxy: 'socks5://proxy:1080' });
    expect(userErrorOf(() => proxyFor('http://tether.example.com')).message).toMatch(
      /^http_proxy must start with http:\/\/ or https:\/\//,
    );

    environment({ HTTPS_PROXY: 'http://alice:s3cret@proxy:3128/path' });
    const error = userErrorOf(() => proxyFor('https://tether.example.com'));
    expect(error.message).toMatch(/^HTTPS_PROXY must be only a scheme, host and port/);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('describeProxy', () => {
  it('masks credentials and keeps the host', () => {
    expect(describeProxy(new URL('http://alice:s3cret@proxy:3128'))).toBe('http://***@proxy:3128');
    expect(describeProxy(new URL('https://proxy.hospital.local'))).toBe(
      'https://proxy.hospital.local',
    );
  });
});

describe('proxyAgent and proxySocketOptions', () => {
  it('share one CONNECT agent per proxy and log the proxy once, masked', () => {
    environment({ HTTPS_PROXY: 'http://alice:s3cret@proxy:3128' });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });

    const first = proxySocketOptions('https://tether.example.com', log);
    const second = proxySocketOptions('https://tether.example.com/relay', log);

    expect(first.agent).toBeInstanceOf(HttpsProxyAgent);
    expect(second.agent).toBe(first.agent);
    expect(proxyAgent('https://other.example.com')).toBe(first.agent);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'connecting through a proxy',
      proxy: 'http://***@proxy:3128',
    });
    expect(lines[0]).not.toContain('s3cret');
  });

  it('give no agent when no proxy applies', () => {
    environment({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '*' });

    expect(proxyAgent('https://tether.example.com')).toBeUndefined();
  });
});
