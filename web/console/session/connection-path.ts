/** The rung of the connectivity ladder the data channel runs on, in words. */
export type ConnectionPath = 'Direct (WebRTC)' | 'Relayed (TURN)';

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
  const relayed = local?.candidateType === 'relay' || remote?.candidateType === 'relay';

  return relayed ? 'Relayed (TURN)' : 'Direct (WebRTC)';
}
