import type { Agent } from 'node:http';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';

/**
 * Hospitals let traffic out only through an HTTP proxy, so every connection the agent
 * makes goes through the one the environment names. proxy-from-env decides which applies
 * (`HTTPS_PROXY` for https://, `HTTP_PROXY` for http://, `ALL_PROXY` as a fallback,
 * `NO_PROXY` to go direct; lower case wins over upper case). It reads `process.env`
 * itself, so these functions do too.
 */

const agents = new Map<string, Agent>();
let announced = false;

/**
 * The proxy for requests to `url`, or undefined to connect directly. Throws a UserError
 * naming the variable when its value is not an http:// or https:// URL.
 */
export function proxyFor(url: string): URL | undefined {
  const chosen = getProxyForUrl(url);
  if (!chosen) return undefined;

  const variable = proxyVariable(url);
  const raw = process.env[variable] ?? '';
  // curl reads "proxy:3128" as http://proxy:3128. proxy-from-env would borrow the
  // target's scheme and speak TLS to the proxy for an https server, which almost no
  // facility proxy expects.
  const value = raw.includes('://') ? chosen : `http://${raw}`;

  let proxy: URL;
  try {
    proxy = new URL(value);
  } catch {
    throw new UserError(`${variable} is not a proxy URL (expected e.g. http://proxy:3128).`);
  }
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new UserError(`${variable} must start with http:// or https:// (it names a proxy).`);
  }
  if (proxy.pathname !== '/' || proxy.search || proxy.hash) {
    throw new UserError(`${variable} must be only a scheme, host and port (http://proxy:3128).`);
  }

  return proxy;
}

/**
 * The proxy URL fit for a log line: credentials in it become `***@`, so an operator still
 * sees that some are in use without the log holding them.
 */
export function describeProxy(proxy: URL): string {
  const credentials = proxy.username || proxy.password ? '***@' : '';
  return `${proxy.protocol}//${credentials}${proxy.host}`;
}

/**
 * The `http.Agent` that tunnels connections to `url` through its proxy with CONNECT, or
 * undefined to connect directly. One agent per proxy URL, shared by every caller.
 */
export function proxyAgent(url: string): Agent | undefined {
  const proxy = proxyFor(url);
  return proxy && agentFor(proxy);
}

/**
 * socket.io client options that send its websocket to `url` through the proxy, and the
 * first call in the process logs which proxy that is (the agent's first connection is
 * made at start).
 */
export function proxySocketOptions(url: string, log: Logger): { agent?: string | boolean } {
  const proxy = proxyFor(url);
  if (!announced) {
    announced = true;
    if (proxy) log.info({ proxy: describeProxy(proxy) }, 'connecting through a proxy');
    else log.info('connecting directly (no proxy in the environment)');
  }
  if (!proxy) return {};

  // engine.io-client types `agent` as string | boolean for browsers; in Node it hands the
  // value to the ws library, which takes an http.Agent.
  return { agent: agentFor(proxy) as unknown as string };
}

function agentFor(proxy: URL): Agent {
  let agent = agents.get(proxy.href);
  if (!agent) {
    agent = new HttpsProxyAgent(proxy);
    agents.set(proxy.href, agent);
  }
  return agent;
}

/** The variable proxy-from-env took the proxy from, searched in the order it uses. */
function proxyVariable(url: string): string {
  const scheme = new URL(url).protocol.slice(0, -1);
  const names = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY'];

  return names.find((name) => process.env[name]) ?? names[1]!;
}
