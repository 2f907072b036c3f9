import {
  getOpaqueConfig,
  KE2,
  OpaqueClient,
  OpaqueID,
  RegistrationResponse,
  ScryptMemHardFn,
  type RegistrationRecord,
} from '@cloudflare/opaque-ts';
import { z } from 'zod';

/**
 * Unattended access is proven by an access password that facility IT sets on the agent,
 * with OPAQUE (an asymmetric password-authenticated key exchange): the technician's
 * browser and the agent each learn whether the other side knew the password, and nothing
 * that crosses the network, nor what the agent keeps, lets anyone try passwords offline.
 * The browser (at sign-in) and the agent's `access-password` command (when setting it)
 * run the client side and must agree on everything here, so it lives in one place.
 */

/** The cipher suite: P-256, SHA-256; scrypt makes each password guess costly. */
export const OPAQUE_CONFIG = getOpaqueConfig(OpaqueID.OPAQUE_P256);

/** The one credential an agent holds: its access password. */
export const CREDENTIAL_ID = 'tether-agent-access-password';

/** Shortest access password the agent accepts. */
export const MIN_PASSWORD_LENGTH = 12;

/** The protocol's public messages on the wire: base64 of their bytes. */
export const PakeMessage = z
  .string()
  .min(4)
  .max(1000)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'expected base64');

/** Why `password` cannot be an access password, in words, or null when it can. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    return `The access password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
  }
  if (password.trim() !== password) {
    return 'The access password must not start or end with a space.';
  }
  return null;
}

/** A client that has started a sign-in and waits for the agent's answer. */
export interface PendingSignIn {
  /** The first message, for the agent. */
  ke1: string;
  /**
   * Finishes with the agent's answer for session `sessionId`: the last message for the
   * agent, or null when the password did not open what the agent sent (a wrong password,
   * or an answer forged or meant for another session).
   */
  finish(ke2: string, sessionId: string): Promise<string | null>;
}

/**
 * Starts proving the access password. The session's ID becomes the exchange's context
 * when it finishes, so that an answer for one session cannot approve another.
 */
export async function startSignIn(password: string): Promise<PendingSignIn> {
  const client = new OpaqueClient(OPAQUE_CONFIG, ScryptMemHardFn);
  const ke1 = await client.authInit(password);
  if (ke1 instanceof Error) throw ke1;

  return {
    ke1: toBase64(ke1.serialize()),
    async finish(ke2: string, sessionId: string): Promise<string | null> {
      let message: KE2;
      try {
        message = KE2.deserialize(OPAQUE_CONFIG, fromBase64(ke2));
      } catch {
        return null;
      }
      const done = await client.authFinish(message, undefined, undefined, sessionId);
      return done instanceof Error ? null : toBase64(done.ke3.serialize());
    },
  };
}

/**
 * The client's half of registering a password: the agent's command plays both sides on
 * the agent's own computer, so that the record it keeps is exactly what a browser will
 * later prove the password against.
 */
export async function registerPassword(
  password: string,
  respond: (request: number[]) => Promise<RegistrationResponse>,
): Promise<RegistrationRecord> {
  const client = new OpaqueClient(OPAQUE_CONFIG, ScryptMemHardFn);
  const request = await client.registerInit(password);
  if (request instanceof Error) throw request;

  const response = await respond(request.serialize());
  const done = await client.registerFinish(
    RegistrationResponse.deserialize(OPAQUE_CONFIG, response.serialize()),
  );
  if (done instanceof Error) throw done;
  return done.record;
}

export function toBase64(bytes: readonly number[]): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text);
}

/** Bytes of base64 text; throws on text that is not base64. */
export function fromBase64(text: string): number[] {
  return Array.from(atob(text), (c) => c.charCodeAt(0));
}
