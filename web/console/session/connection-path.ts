/**
 * The rung of the connectivity ladder the session runs on, as the console shows it:
 * straight to the agent over UDP or TCP, through the TURN relay reached over UDP, TCP or
 * TLS, or over the end-to-end encrypted WebSocket relay through the signaling server.
 */
export type ConnectionPath =
  'Direct UDP' | 'Direct TCP' | 'TURN UDP' | 'TURN TCP' | 'TURN TLS' | 'Encrypted relay';

/** One entry of RTCPeerConnection.getStats(), as simple-peer flattens it. */
export type StatsReport = Record<string, unknown>;

/** The path of the selected candidate pair in a getStats() report list, if one is selected. */
export function pathFromStats(reports: StatsReport[]): ConnectionPath | null {
  const transport = reports.find((r) => r.type === 'transport' && r.selectedCandidatePairId);
  const pair = reports.find(
    (r) =>
      r.type === 'candidate-pair' &&
      (r.id === transport?.selectedCandidatePairId ||
        r.selected === true ||
        (!transport && r.nominated === true && r.state === 'succeeded')),
  );
  if (!pair) return null;

  const local = reports.find((r) => r.id === pair.localCandidateId);
  const remote = reports.find((r) => r.id === pair.remoteCandidateId);
  if (!local) return null;

  if (local.candidateType === 'relay') return `TURN ${relayTransport(local)}`;
  // Only the agent's side goes through TURN. The browser reaches that relay over UDP
  // (TURN relays to peers over UDP only); how the agent reaches its TURN server is known
  // to the agent alone.
  if (remote?.candidateType === 'relay') return 'TURN UDP';

  return local.protocol === 'tcp' ? 'Direct TCP' : 'Direct UDP';
}

/**
 * How the browser reaches its TURN server. Chromium reports it as `relayProtocol`; where
 * that is missing, the server URL the candidate came from says it.
 */
function relayTransport(local: StatsReport): 'UDP' | 'TCP' | 'TLS' {
  const reported = local.relayProtocol;
  if (reported === 'tls') return 'TLS';
  if (reported === 'tcp') return 'TCP';
  if (reported === 'udp') return 'UDP';

  const url = typeof local.url === 'string' ? local.url : '';
  if (url.startsWith('turns:')) return 'TLS';
  return url.includes('transport=tcp') ? 'TCP' : 'UDP';
}
