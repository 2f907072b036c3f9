import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * The signaling server's root logger. Each subsystem takes a child with its own name, e.g.
 * `logger.child({ subsystem: 'sessions' })`, so that an operator can filter by it.
 * Redaction is a safety net only: code must never pass a secret to the logger at all.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'signaling' },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'cookie', '*.cookie'],
      censor: '[redacted]',
    },
  });
}
