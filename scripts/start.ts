import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_POLICY } from '../agent-bridge/policy.ts';
import { readTransportEnv, type TransportSettings } from '../signaling/relay/transport-env.ts';
import { startSignaling, type SignalingServer } from '../signaling/server.ts';
import { IceSettingsError, readIceEnv, type IceSettings } from '../signaling/turn/settings.ts';
import { startAgentProcess, type AgentLogRecord, type AgentProcess } from './agent-process.ts';
import { DEMO_ADMIN, DEMO_AGENT_NAME, DEMO_USER, demoPassword, seedDemo } from './demo.ts';
import { startVirtualDisplay, type VirtualDisplay } from './virtual-display.ts';

/**
 * `npm start`: the whole system on one machine. The signaling server runs in this
 * process; the demo facility's agent-bridge runs as its own process, as it would at a
 * hospital, and is restarted if it stops unexpectedly.
 */
const dataDir = resolve(process.env.TETHER_DATA_DIR ?? 'data');
const port = readPort('PORT', 8080);
const consentPort = readPort('TETHER_CONSENT_PORT', 5920);

function readPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    fail(`${name} must be a port number from 0 to 65535, not "${raw}".`);
  }

  return value;
}

/** TURN, the relay and the reconnect grace, from the same variables as the server alone. */
function readConnectivity(): IceSettings & TransportSettings {
  try {
    return { ...readIceEnv(process.env), ...readTransportEnv(process.env) };
  } catch (error) {
    if (error instanceof IceSettingsError) fail(error.message);
    throw error;
  }
}

function fail(message: string): never {
  process.stderr.write(`tether: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });

  const connectivity = readConnectivity();
  let server: SignalingServer;
  try {
    server = await startSignaling({
      port,
      dataDir,
      ...connectivity,
      logLevel: process.env.LOG_LEVEL ?? 'warn',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      fail(`port ${port} is already in use. Stop the other program or set PORT to a free port.`);
    }
    throw error;
  }

  const password = demoPassword(dataDir);
  const desktop = await startDesktop();
  let stopping = false;
  allowLanCandidates(join(dataDir, 'agent', 'policy.json'));
  let agent = await launchAgent(server, password, desktop.env);
  const consentUrl = await agent.consentUrl;
  await agent.online;
  printBanner(server.url, consentUrl, password, desktop.line);

  const supervise = async (): Promise<void> => {
    const code = await agent.exited;
    if (stopping) return;
    process.stderr.write(`tether: the demo agent stopped (exit code ${code}); restarting in 2 s\n`);
    await new Promise((r) => setTimeout(r, 2000));
    if (stopping) return;
    agent = await launchAgent(server, password, desktop.env);
    void supervise();
  };
  void supervise();

  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping Tether…\n');
    await agent.stop();
    await desktop.display?.stop();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

/**
 * The console and the demo agent share this machine, so the direct path between them
 * runs over the agent's host candidates: the demo policy says `hostCandidates: 'lan'`.
 * A real facility keeps the default, 'none', so that its internal addresses stay inside
 * and sessions go through TURN. A policy file that already has a network section, or
 * that does not parse (the agent reports that itself), is left as it is.
 */
function allowLanCandidates(policyFile: string): void {
  let policy: unknown = DEFAULT_POLICY;
  if (existsSync(policyFile)) {
    try {
      policy = JSON.parse(readFileSync(policyFile, 'utf8'));
    } catch {
      return;
    }
  }
  if (typeof policy !== 'object' || policy === null || 'network' in policy) return;

  mkdirSync(join(policyFile, '..'), { recursive: true });
  const demo = { ...policy, network: { hostCandidates: 'lan' } };
  writeFileSync(policyFile, `${JSON.stringify(demo, null, 2)}\n`);
}

interface Desktop {
  display: VirtualDisplay | null;
  /** DISPLAY for the agent. */
  env: Record<string, string>;
  /** The banner's line about it. */
  line: string;
}

/**
 * The demo facility's service computer: a private X display running the Device Service
 * Tool, which the agent captures. Without Xvfb Tether runs without a desktop; DISPLAY is
 * then emptied for the agent so that it never shows the screen of whoever ran npm start.
 */
async function startDesktop(): Promise<Desktop> {
  // The tool's log goes to the drop folder, so its actions also show in Device logs.
  const dropbox = join(dataDir, 'dropbox');
  mkdirSync(dropbox, { recursive: true });
  const display = await startVirtualDisplay({
    appArgs: ['--log-file', join(dropbox, 'service-tool.log')],
  });
  if ('unavailable' in display) {
    return { display: null, env: { DISPLAY: '' }, line: `not available: ${display.unavailable}` };
  }

  const shows = display.warning ? `empty screen: ${display.warning}` : 'Device Service Tool';

  return {
    display,
    env: { DISPLAY: display.display },
    line: `virtual display ${display.display} (${shows})`,
  };
}

async function launchAgent(
  server: SignalingServer,
  password: string,
  env: Record<string, string>,
): Promise<AgentProcess> {
  const enrolmentToken = await seedDemo(server, password);

  return startAgentProcess({
    serverUrl: `http://127.0.0.1:${server.port}`,
    dataDir: join(dataDir, 'agent'),
    dropboxDir: join(dataDir, 'dropbox'),
    consentPort,
    name: DEMO_AGENT_NAME,
    enrolmentToken,
    env,
    onLog: showAgentProblems,
  });
}

/** The agent logs JSON at info; only what an operator should look at is shown here. */
function showAgentProblems(record: AgentLogRecord): void {
  if (record.level < 40) return;
  const label = record.level >= 50 ? 'error' : 'warning';
  process.stderr.write(`agent ${label}: ${record.msg}\n`);
}

function printBanner(
  consoleUrl: string,
  consentUrl: string,
  password: string,
  desktop: string,
): void {
  const lines = [
    '',
    'Tether is running.',
    '',
    `  Console          ${consoleUrl}`,
    `  Consent page     ${consentUrl}   (facility staff; this machine only)`,
    `  Sign in as       ${DEMO_USER.username}   (or ${DEMO_ADMIN.username}: administration, packages; asks to set up two-factor sign-in)`,
    `  Password         ${password}`,
    `  Data folder      ${dataDir}`,
    `  Log drop folder  ${join(dataDir, 'dropbox')}   (log files placed here stream live)`,
    `  Desktop          ${desktop}`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`tether: could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
