import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** The current time as the ISO-8601 string every table and message uses. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** A new opaque ID such as `ses-…`; the prefix tells a reader of logs what it names. */
export function newId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Hex SHA-256 of a UTF-8 string: how tokens are stored, so a database leak reveals none. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** `bytes` random bytes as base64url: tokens, challenges. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
