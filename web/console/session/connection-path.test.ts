import { describe, expect, it } from 'vitest';
import { pathFromStats, type StatsReport } from './connection-path.ts';

/**
 * Report shapes as Chromium's getStats() gives them (fields trimmed to those that matter
 * plus a few neighbours, so that a lookup on the wrong field would show).
 */
function localCandidate(id: string, candidateType: string, extra: StatsReport = {}): StatsReport {
  return {
    id,
    timestamp: 1_731_000_000_000,
    type: 'local-candidate',
    transportId: 'T01',
    isRemote: false,
    networkType: 'ethernet',
    address: candidateType === 'relay' ? '127.0.0.1' : '192.0.2.2',
    port: 50_123,
    protocol: 'udp',
    candidateType,
    priority: 41_885_439,
    foundation: '1853887674',
    usernameFragment: 'kC0n',
    ...extra,
  };
}

function remoteCandidate(id: string, candidateType: string, extra: StatsReport = {}): StatsReport {
  return {
    id,
    timestamp: 1_731_000_000_000,
    type: 'remote-candidate',
    transportId: 'T01',
    isRemote: true,
    address: '127.0.0.1',
    port: 61_231,
    protocol: 'udp',
    candidateType,
    priority: 2_122_194_687,
    ...extra,
  };
}

function selected(local: StatsReport, remote: StatsReport): StatsReport[] {
  return [
    { id: 'T01', type: 'transport', dtlsState: 'connected', selectedCandidatePairId: 'CP1' },
    {
      id: 'CP1',
      type: 'candidate-pair',
      transportId: 'T01',
      localCandidateId: local.id,
      remoteCandidateId: remote.id,
      state: 'succeeded',
      nominated: true,
      currentRoundTripTime: 0.002,
    },
    {
      id: 'CP2',
      type: 'candidate-pair',
      transportId: 'T01',
      localCandidateId: 'Iother',
      remoteCandidateId: remote.id,
      state: 'failed',
    },
    localCandidate('Iother', 'relay', { relayProtocol: 'tls' }),
    local,
    remote,
  ];
}

describe('pathFromStats', () => {
  it('reports Direct UDP for a host pair over UDP', () => {
    const reports = selected(localCandidate('I1', 'host'), remoteCandidate('R1', 'host'));

    expect(pathFromStats(reports)).toBe('Direct UDP');
  });

  it('reports Direct UDP for a server-reflexive pair', () => {
    const reports = selected(localCandidate('I1', 'srflx'), remoteCandidate('R1', 'prflx'));

    expect(pathFromStats(reports)).toBe('Direct UDP');
  });

  it('reports Direct TCP for a host pair over TCP', () => {
    const local = localCandidate('I1', 'host', { protocol: 'tcp', tcpType: 'active' });
    const remote = remoteCandidate('R1', 'host', { protocol: 'tcp', tcpType: 'passive' });

    expect(pathFromStats(selected(local, remote))).toBe('Direct TCP');
  });

  it.each([
    ['udp', 'turn:127.0.0.1:3478?transport=udp', 'TURN UDP'],
    ['tcp', 'turn:127.0.0.1:3478?transport=tcp', 'TURN TCP'],
    ['tls', 'turns:127.0.0.1:5349?transport=tcp', 'TURN TLS'],
  ])('reports the relay protocol %s as %s', (relayProtocol, url, expected) => {
    const local = localCandidate('I1', 'relay', { relayProtocol, url });

    expect(pathFromStats(selected(local, remoteCandidate('R1', 'relay')))).toBe(expected);
  });

  it.each([
    ['turns:turn.example.org:443', 'TURN TLS'],
    ['turn:turn.example.org:443?transport=tcp', 'TURN TCP'],
    ['turn:turn.example.org:3478', 'TURN UDP'],
  ])('falls back to the server URL %s without relayProtocol', (url, expected) => {
    const local = localCandidate('I1', 'relay', { url });

    expect(pathFromStats(selected(local, remoteCandidate('R1', 'host')))).toBe(expected);
  });

  it('reports TURN UDP when only the agent relays', () => {
    const reports = selected(localCandidate('I1', 'host'), remoteCandidate('R1', 'relay'));

    expect(pathFromStats(reports)).toBe('TURN UDP');
  });

  it('uses a nominated, succeeded pair when there is no transport report', () => {
    const reports = selected(
      localCandidate('I1', 'relay', { relayProtocol: 'tcp' }),
      remoteCandidate('R1', 'relay'),
    ).filter((r) => r.type !== 'transport');

    expect(pathFromStats(reports)).toBe('TURN TCP');
  });

  it('knows nothing before a pair is selected', () => {
    const reports = [localCandidate('I1', 'host'), remoteCandidate('R1', 'host')];

    expect(pathFromStats(reports)).toBeNull();
  });
});
