import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAgentProcess, type AgentProcess } from '../scripts/agent-process.ts';
import { startVirtualDisplay, type VirtualDisplay } from '../scripts/virtual-display.ts';
import { DEMO_AGENT_NAME, DEMO_USER, seedDemo } from '../scripts/demo.ts';
import type { IceTransportPolicy } from '../shared/protocol/signal.ts';
import { startSignaling, type SignalingServer } from '../signaling/server.ts';
import type { RelayTap } from '../signaling/relay/forwarder.ts';
import type { TransportPolicy } from '../signaling/relay/transport-policy.ts';
import type { TurnOptions } from '../signaling/turn/settings.ts';

export const TEST_PASSWORD = 'correct horse battery staple';

export interface Stack {
  server: SignalingServer;
  agent: AgentProcess;
  consoleUrl: string;
  consentUrl: string;
  agentId: string;
  dataDir: string;
  dropboxDir: string;
  user: typeof DEMO_USER;
  password: string;
  /** The facility's service computer, when the stack was asked for a desktop. */
  display: VirtualDisplay | null;
  /** Where the service tool wrote its note field and buttons (see demo/service-app.py). */
  layoutFile: string;
  /** Everything the agent printed, for a failing test's report. */
  agentLog: string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /**
   * Written as the agent's local policy file, over `network.hostCandidates: 'lan'`: the
   * direct path between a browser and an agent on one machine needs the agent's host
   * candidates, which a real facility's default ('none') keeps inside. A test of that
   * default passes its own `network` section.
   */
  policy?: Record<string, unknown>;
  /** TURN servers the signaling server hands each session (see tests/coturn.ts). */
  turn?: TurnOptions;
  /** `relay` forces both peers through TURN. */
  iceTransportPolicy?: IceTransportPolicy;
  /** Whether WebRTC is allowed, and how long a console waits for it before the relay. */
  transport?: Partial<TransportPolicy>;
  /** How long a running session whose path broke waits for it (server; default 60 s). */
  reconnectGraceMs?: number;
  /** Sees every encrypted relay frame the server forwards. */
  relayTap?: RelayTap;
  /** Start a virtual display with the demo service tool for the agent to capture. */
  desktop?: boolean;
  /** Extra environment for the agent process, e.g. `TETHER_SERVICE_REPORT_SECONDS`. */
  agentEnv?: Record<string, string>;
}

/**
 * A whole Tether on loopback for one test: the real signaling server (in this process,
 * on a free port, with a fresh SQLite database) and the real agent-bridge process with
 * the simulated Demo Facility.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-e2e-'));
  const agentDir = join(dataDir, 'agent');
  const dropboxDir = join(dataDir, 'dropbox');
  mkdirSync(agentDir, { recursive: true });
  mkdirSync(dropboxDir, { recursive: true });

  const policyPath = join(agentDir, 'policy.json');
  const policy = { network: { hostCandidates: 'lan' }, ...options.policy };
  writeFileSync(policyPath, JSON.stringify(policy, null, 2));

  const layoutFile = join(dataDir, 'service-tool-layout.json');
  const display = options.desktop ? await startDesktop(dropboxDir, layoutFile) : null;
  // TETHER_DIST points both servers at another build of the web app (default dist/).
  const staticDir = process.env.TETHER_DIST ? resolve(process.env.TETHER_DIST) : undefined;
  const server = await startSignaling({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'error',
    staticDir,
    turn: options.turn,
    iceTransportPolicy: options.iceTransportPolicy,
    transport: options.transport,
    relayTap: options.relayTap,
    reconnectGraceMs: options.reconnectGraceMs,
  });
  const enrolmentToken = await seedDemo(server, TEST_PASSWORD);
  const agentLog: string[] = [];
  const agent = startAgentProcess({
    serverUrl: `http://127.0.0.1:${server.port}`,
    dataDir: agentDir,
    dropboxDir,
    consentPort: 0,
    name: DEMO_AGENT_NAME,
    enrolmentToken,
    policyPath,
    onLog: (record) => agentLog.push(JSON.stringify(record)),
    env: {
      DISPLAY: display?.display ?? '',
      ...(staticDir ? { TETHER_STATIC_DIR: staticDir } : {}),
      ...options.agentEnv,
    },
  });

  try {
    const [consentUrl, agentId] = await Promise.all([agent.consentUrl, agent.online]);

    return {
      server,
      agent,
      consoleUrl: `http://127.0.0.1:${server.port}`,
      consentUrl,
      agentId,
      dataDir,
      dropboxDir,
      user: DEMO_USER,
      password: TEST_PASSWORD,
      agentLog,
      display,
      layoutFile,
      async stop() {
        await agent.stop();
        await server.close();
        await display?.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await agent.stop('SIGKILL');
    await server.close();
    await display?.stop();
    throw error;
  }
}

async function startDesktop(dropboxDir: string, layoutFile: string): Promise<VirtualDisplay> {
  const display = await startVirtualDisplay({
    appArgs: ['--log-file', join(dropboxDir, 'service-tool.log'), '--layout-file', layoutFile],
  });
  if ('unavailable' in display) throw new Error(`no virtual display: ${display.unavailable}`);
  if (display.warning) throw new Error(`the service tool did not start: ${display.warning}`);

  return display;
}
