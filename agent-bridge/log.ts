import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The agent's root logger: JSON lines on stdout, one child per subsystem
 * (`logger.child({ subsystem: 'link' })`). Scripts wait on a few exact `msg` values
 * logged at info: 'consent page listening' (`url`), 'agent online' (`agentId`) and
 * 'agent offline'.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { app: 'agent-bridge' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Belt and braces: these never belong in a log line even if passed by mistake.
    redact: {
      paths: ['token', 'enrolmentToken', 'signature', 'privateKey', '*.token'],
      remove: true,
    },
  });
}

/** A child logger for one subsystem. */
export function subsystem(logger: Logger, name: string): Logger {
  return logger.child({ subsystem: name });
}

/** A logger that drops everything, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
