/**
 * A tiny named logger for the browser, mirroring the per-subsystem loggers on the
 * server and agent. Debug lines go to console.debug, which browsers hide by default.
 */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export function createLogger(subsystem: string): Logger {
  const prefix = `[tether:${subsystem}]`;
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, context?: Record<string, unknown>) => {
      if (context) console[method](prefix, message, context);
      else console[method](prefix, message);
    };

  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
