import { createHmac } from 'node:crypto';

/** A TURN username and password that coturn accepts until `expiresAt`. */
export interface TurnCredential {
  /** `<expiry in unix seconds>:<sessionId>`. */
  username: string;
  /** Base64 of HMAC-SHA1(secret, username). */
  credential: string;
  /** When coturn stops accepting the pair for new allocations, in unix seconds. */
  expiresAt: number;
}

/**
 * Mints a TURN REST-style credential for one session. coturn, configured with
 * `use-auth-secret` and the same `static-auth-secret`, recomputes the HMAC from the
 * username and refuses it once the expiry in the username has passed; nothing is stored
 * on either side. Binding the session id into the username lets an operator match
 * coturn's own logs to a session without the credential ever being logged.
 */
export function mintTurnCredential(
  secret: string,
  sessionId: string,
  ttlSeconds: number,
  nowMs: number = Date.now(),
): TurnCredential {
  const expiresAt = Math.floor(nowMs / 1000) + ttlSeconds;
  const username = `${expiresAt}:${sessionId}`;
  const credential = createHmac('sha1', secret).update(username).digest('base64');

  return { username, credential, expiresAt };
}
