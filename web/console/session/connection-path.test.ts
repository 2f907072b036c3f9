import { describe, it, expect } from 'vitest';
import { pathFromStats } from './connection-path.ts';

describe('pathFromStats', () => {
  const candidates = [
    { id: 'L1', type: 'local-candidate', candidateType: 'host' },
    { id: 'L2', type: 'local-candidate', candidateType: 'relay' },
    { id: 'R1', type: 'remote-candidate', candidateType: 'host' },
  ];

  it('reports a direct path for the selected host pair', () => {
    const reports = [
      ...candidates,
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P1' },
      { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1' },
      { id: 'P2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1' },
    ];

    expect(pathFromStats(reports)).toBe('Direct (WebRTC)');
  });

  it('reports a relay when the selected pair uses a TURN candidate', () => {
    const reports = [
      ...candidates,
      { id: 'T', type: 'transport', selectedCandidatePairId: 'P2' },
      { id: 'P2', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1' },
    ];

    expect(pathFromStats(reports)).toBe('Relayed (TURN)');
  });

  it('knows nothing before a pair is selected', () => {
    expect(pathFromStats(candidates)).toBeNull();
  });
});
