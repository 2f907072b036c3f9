import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAgentProcess, type AgentProcess } from '../scripts/agent-process.ts';
import { DEMO_AGENT_NAME, DEMO_USER, seedDemo } from '../scripts/demo.ts';
import { startVirtualDisplay, type VirtualDisplay } from '../scripts/virtual-display.ts';
import { startSignaling, type SignalingServer } from '../signaling/server.ts';

export const BENCH_PASSWORD = 'bench password, loopback only';

/** The real pieces the bench measures, all on this machine. */
export interface Rig {
  display: VirtualDisplay;
  server: SignalingServer;
  agent: AgentProcess;
  consoleUrl: string;
  consentUrl: string;
  user: typeof DEMO_USER;
  password: string;
  /** The agent's last log lines, for a failure report. */
  agentLog: string[];
  /** When the pattern redrew its flip square after each press, in epoch ms. */
  flips: number[];
  stop(): Promise<void>;
}

/**
 * Starts a virtual display showing the test pattern, the signaling server (in this
 * process) and the agent-bridge (its own process, capturing that display), with a local
 * policy that lets staff grant viewing and control.
 */
export async function startRig(width: number, height: number): Promise<Rig> {
  const flips: number[] = [];
  const display = await startVirtualDisplay({
    width,
    height,
    app: 'pattern',
    onAppOutput: (line) => {
      const match = /^flipped (\d+)$/.exec(line.trim());
      if (match) flips.push(Number(match[1]));
    },
  });
  if ('unavailable' in display) throw new Error(`no virtual display: ${display.unavailable}`);
  if (display.warning) {
    await display.stop();
    throw new Error(display.warning);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const agentDir = join(dataDir, 'agent');
  mkdirSync(agentDir, { recursive: true });
  const policyPath = join(agentDir, 'policy.json');
  const capabilities = ['logs.read', 'screen.view', 'screen.control'];
  writeFileSync(
    policyPath,
    JSON.stringify({ allowedCapabilities: capabilities, grantedByDefault: capabilities }),
  );

  const server = await startSignaling({ port: 0, host: '127.0.0.1', dataDir, logLevel: 'error' });
  const enrolmentToken = await seedDemo(server, BENCH_PASSWORD);
  const agentLog: string[] = [];
  const agent = startAgentProcess({
    serverUrl: `http://127.0.0.1:${server.port}`,
    dataDir: agentDir,
    dropboxDir: join(dataDir, 'dropbox'),
    consentPort: 0,
    name: DEMO_AGENT_NAME,
    enrolmentToken,
    policyPath,
    logLevel: 'info',
    env: { DISPLAY: display.display },
    onLog: (record) => {
      agentLog.push(JSON.stringify(record));
      if (agentLog.length > 200) agentLog.shift();
    },
  });

  const stop = async (): Promise<void> => {
    await agent.stop();
    await server.close();
    await display.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    const [consentUrl] = await Promise.all([agent.consentUrl, agent.online]);

    return {
      display,
      server,
      agent,
      consoleUrl: `http://127.0.0.1:${server.port}`,
      consentUrl,
      user: DEMO_USER,
      password: BENCH_PASSWORD,
      agentLog,
      flips,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
