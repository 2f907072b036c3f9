/**
 * The agent signs the DTLS fingerprints of every session description it makes, and the
 * console checks the signature against the agent's enrolled key before it uses the
 * description. WebRTC's DTLS handshake then proves that the far end holds the certificate
 * with that fingerprint, so a signaling server that rewrote a description to put itself
 * in the middle is caught: it cannot sign for the agent.
 */

/** The `a=fingerprint:` values of an SDP, normalised, unique and sorted. */
export function sdpFingerprints(sdp: string): string[] {
  const found = new Set<string>();
  for (const match of sdp.matchAll(/^a=fingerprint:(\S+) ([0-9A-Fa-f:]+)\s*$/gm)) {
    const [, algorithm = '', value = ''] = match;
    found.add(`${algorithm.toLowerCase()} ${value.toUpperCase()}`);
  }
  return [...found].sort();
}

/** What the agent signs for one description of one attempt of one session. */
export function sdpProofPayload(
  sessionId: string,
  attempt: number,
  type: string,
  fingerprints: string[],
): string {
  return `tether-sdp/v1\n${sessionId}\n${attempt}\n${type}\n${fingerprints.join('\n')}`;
}
