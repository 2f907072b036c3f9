import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));

export interface AgentProcessOptions {
  serverUrl: string;
  dataDir: string;
  dropboxDir: string;
  consentPort: number;
  name: string;
  enrolmentToken?: string;
  policyPath?: string;
  simulateDevices?: boolean;
  logLevel?: string;
  /** Extra environment for the agent, such as DISPLAY for the desktop it serves. */
  env?: Record<string, string>;
  /** Called with each log record the agent prints, already parsed. */
  onLog?: (record: AgentLogRecord) => void;
}

export interface AgentLogRecord {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface AgentProcess {
  child: ChildProcess;
  /** Resolves with the consent page URL once it listens. */
  consentUrl: Promise<string>;
  /** Resolves with the agent ID the first time the agent reports itself online. */
  online: Promise<string>;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts the agent-bridge as its own process, the way a facility runs it, and turns its
 * JSON log lines into milestones that callers can wait on.
 */
export function startAgentProcess(options: AgentProcessOptions): AgentProcess {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TETHER_SERVER_URL: options.serverUrl,
    TETHER_AGENT_DATA_DIR: options.dataDir,
    TETHER_DROPBOX_DIR: options.dropboxDir,
    TETHER_CONSENT_PORT: String(options.consentPort),
    TETHER_AGENT_NAME: options.name,
    TETHER_SIMULATE_DEVICES: options.simulateDevices === false ? '0' : '1',
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  };
  if (options.enrolmentToken) env.TETHER_ENROLMENT_TOKEN = options.enrolmentToken;
  if (options.policyPath) env.TETHER_POLICY = options.policyPath;

  const child = spawn(process.execPath, ['--import', 'tsx', 'agent-bridge/main.ts'], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const exited = once(child, 'exit').then(([code]) => code as number | null);
  let resolveConsent: (url: string) => void;
  let resolveOnline: (agentId: string) => void;
  const consentUrl = new Promise<string>((resolve) => (resolveConsent = resolve));
  const online = new Promise<string>((resolve) => (resolveOnline = resolve));
  const stderrTail: string[] = [];

  const failEarly = exited.then((code) => {
    const tail = stderrTail.join('\n');
    throw new Error(`agent-bridge exited with code ${code} before it was ready\n${tail}`);
  });
  failEarly.catch(() => undefined);

  createInterface({ input: child.stdout! }).on('line', (line) => {
    const record = parseRecord(line);
    if (!record) return;
    if (record.msg === 'consent page listening' && typeof record.url === 'string') {
      resolveConsent(record.url);
    }
    if (record.msg === 'agent online' && typeof record.agentId === 'string') {
      resolveOnline(record.agentId);
    }
    options.onLog?.(record);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderrTail.push(line);
    if (stderrTail.length > 40) stderrTail.shift();
    options.onLog?.({ level: 50, msg: line });
  });

  return {
    child,
    consentUrl: Promise.race([consentUrl, failEarly]),
    online: Promise.race([online, failEarly]),
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function parseRecord(line: string): AgentLogRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value && 'msg' in value && 'level' in value) {
      return value as AgentLogRecord;
    }
  } catch {
    // Not a log record: the agent printed something else. Ignored on purpose.
  }
  return undefined;
}
