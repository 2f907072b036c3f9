import { fromBase64 } from './relay/bytes.ts';

/**
 * Agent identity helpers shared by the agent-bridge and the signaling server. They use
 * only Web Crypto so that they run in Node and in browsers alike.
 */

/** The agent's ID: `ag-` and the first 16 bytes of SHA-256 of its raw Ed25519 public key, in hex. */
export async function agentIdFromPublicKey(rawPublicKey: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', rawPublicKey as BufferSource);
  const hex = Array.from(new Uint8Array(digest).slice(0, 16), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');

  return `ag-${hex}`;
}

/** The bytes an agent signs to prove its key on one connection. Bound to the challenge and ID. */
export function proofPayload(agentId: string, challenge: string): string {
  return `tether-agent-proof/v1\n${agentId}\n${challenge}`;
}

/**
 * The bytes the server signs, with the key the agent pinned at enrolment, to prove on each
 * connection that it is the server the agent enrolled with. Bound to the agent and to a
 * fresh nonce of the agent's, so a recorded proof is worth nothing.
 */
export function serverProofPayload(agentId: string, nonce: string): string {
  return `tether-server-proof/v1\n${agentId}\n${nonce}`;
}

/** The bytes an agent signs when it enrols, binding its key to the one-time token. */
export function enrolmentPayload(token: string, rawPublicKeyBase64: string): string {
  return `tether-agent-enrol/v1\n${token}\n${rawPublicKeyBase64}`;
}

/**
 * Whether `signature` (base64) by the raw Ed25519 key `publicKey` (base64) covers `text`.
 * Web Crypto, so that the console can check what the agent signed without trusting the
 * server that carried it, and the agent what the server signed.
 */
export async function verifySignedText(
  publicKey: string,
  text: string,
  signature: string,
): Promise<boolean> {
  const raw = fromBase64(publicKey);
  const sig = fromBase64(signature);
  if (raw?.length !== 32 || sig?.length !== 64) return false;

  try {
    const subtle = globalThis.crypto.subtle;
    const key = await subtle.importKey('raw', raw as BufferSource, { name: 'Ed25519' }, false, [
      'verify',
    ]);
    const bytes = new TextEncoder().encode(text);
    return await subtle.verify({ name: 'Ed25519' }, key, sig as BufferSource, bytes);
  } catch {
    return false;
  }
}
