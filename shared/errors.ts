import { z } from 'zod';

/** Stable error codes carried on the wire. The message is for people; the code is for code. */
export const ERROR_CODES = [
  'bad_request',
  'message_too_large',
  'unknown_message',
  'unauthenticated',
  'invalid_credentials',
  'forbidden',
  'not_found',
  'agent_offline',
  'invalid_state',
  'rate_limited',
  'enrolment_invalid',
  'proof_invalid',
  'capability_not_allowed',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorCode = z.enum(ERROR_CODES);

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string().max(1000),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error with a stable code and a message written for the person who will read it. */
export class TetherError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'TetherError';
    this.code = code;
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}
