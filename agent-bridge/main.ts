import { runAccessPasswordCommand } from './access/unattended-command.ts';
import { startAgent } from './agent.ts';
import { loadConfig } from './config.ts';
import { ensureEnrolled } from './enrolment.ts';
import { UserError } from './errors.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { createLogger, subsystem, type Logger } from './log.ts';
import { describeProxy, proxyFor } from './net/proxy.ts';
import { runRedactCommand } from './phi/redact-command.ts';
import { loadPolicy } from './policy.ts';

/**
 * The facility agent: `npx tsx agent-bridge/main.ts` (npm run agent). Configuration is
 * read from the environment (see config.ts). Exit codes: 0 after SIGINT/SIGTERM, 2 for a
 * problem the operator can fix (printed as one line on stderr), 1 for anything else.
 *
 * `npm run agent -- redact` instead filters stdin to stdout with the PHI filter and the
 * local policy, then exits 0; it connects to nothing.
 *
 * `npm run agent -- access-password [--clear]` sets (or removes) the access password for
 * unattended access, keeping only its verifier in the data folder; it connects to nothing.
 */
let log: Logger | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  log = createLogger(config.logLevel);
  // A proxy setting that cannot work stops the agent now, before enrolment retries it.
  const proxy = proxyFor(config.serverUrl);
  const policy = loadPolicy(config.policyPath);
  log.info(
    { policyPath: config.policyPath, consentTimeoutSeconds: policy.consentTimeoutSeconds },
    'policy loaded',
  );
  log.info(
    { proxy: proxy ? describeProxy(proxy) : 'none' },
    proxy ? 'server reached through a proxy' : 'server reached directly',
  );

  const identity = await loadOrCreateIdentity(config.dataDir, subsystem(log, 'identity'));
  const enrolment = await ensureEnrolled({
    dataDir: config.dataDir,
    serverUrl: config.serverUrl,
    name: config.name,
    token: config.enrolmentToken,
    identity,
    log: subsystem(log, 'enrolment'),
  });
  const agent = await startAgent({ config, policy, identity, enrolment, log });

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log?.info({ signal }, 'agent stopping');
    try {
      await agent.stop();
    } catch (error) {
      log?.error({ err: error }, 'agent did not stop cleanly');
    }
    // The WebRTC library keeps native handles that would hold the process open.
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function redact(): Promise<void> {
  await runRedactCommand();
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  // Ends here rather than waiting for handles that imported modules may hold open.
  process.exit(0);
}

async function accessPassword(): Promise<void> {
  await runAccessPasswordCommand(process.argv.slice(3));
  process.exit(0);
}

const COMMANDS: Record<string, () => Promise<void>> = { redact, 'access-password': accessPassword };
const command = COMMANDS[process.argv[2] ?? ''] ?? main;

command().catch((error: unknown) => {
  if (error instanceof UserError) {
    process.stderr.write(`agent-bridge: ${error.message}\n`);
    process.exit(2);
  }
  if (log) log.fatal({ err: error }, 'agent failed');
  else process.stderr.write(`agent-bridge: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
