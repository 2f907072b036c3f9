/**
 * A mistake the person running the agent can fix: bad configuration, a missing
 * enrolment token, a server that refused enrolment. `main.ts` prints the message as
 * one line and exits with code 2, never with a stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** The message of anything thrown, for a log field or a one-line explanation. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
