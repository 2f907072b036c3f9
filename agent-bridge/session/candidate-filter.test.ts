import { networkInterfaces } from 'node:os';
import wrtc from '@roamhq/wrtc';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignalData } from '../../shared/protocol/signal.ts';
import { filterCandidate, filterSdp, filterSignal, isInternalAddress } from './candidate-filter.ts';

describe('isInternalAddress', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.20',
    '127.0.0.1',
    '169.254.10.1',
    '100.64.0.1',
    '192.0.2.2',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::fc:ff:fe00:1',
    'fd00::2',
    'fc12::1',
    '2001:db8::1',
    '::ffff:10.0.0.1',
    'c0ffee12-3456-4abc-8def-0123456789ab.local',
    'not an address',
  ])('%s is internal', (address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '172.32.0.1', '8.8.8.8', '2a00:1450:4001:82b::200e', '::ffff:8.8.4.4'])(
    '%s is public',
    (address) => {
      expect(isInternalAddress(address)).toBe(false);
    },
  );
});

describe('filterCandidate', () => {
  it('drops host candidates on internal addresses and keeps public ones', () => {
    const lan = 'candidate:3229573512 1 udp 2122194687 192.168.4.7 60444 typ host generation 0';
    const pub = 'candidate:3229573512 1 udp 2122194687 93.184.216.34 60444 typ host generation 0';

    expect(filterCandidate(lan)).toBeNull();
    expect(filterCandidate(`a=${lan}`)).toBeNull();
    expect(filterCandidate(pub)).toBe(pub);
  });

  it('keeps a relay candidate and hides the agent address it relates to', () => {
    const relay =
      'candidate:1853887674 1 udp 41885439 198.199.1.5 61231 typ relay raddr 10.20.0.15 rport 51200 generation 0 ufrag 2gVx network-id 1';

    expect(filterCandidate(relay)).toBe(
      'candidate:1853887674 1 udp 41885439 198.199.1.5 61231 typ relay raddr 0.0.0.0 rport 0 generation 0 ufrag 2gVx network-id 1',
    );
  });

  it('keeps a public server-reflexive candidate without its private base', () => {
    const srflx =
      'candidate:842163049 1 udp 1677729535 93.184.216.34 40112 typ srflx raddr fd00::2 rport 42133 generation 0';

    expect(filterCandidate(srflx)).toBe(
      'candidate:842163049 1 udp 1677729535 93.184.216.34 40112 typ srflx raddr :: rport 0 generation 0',
    );
  });

  it('drops what it cannot parse', () => {
    expect(filterCandidate('candidate:1 1 udp')).toBeNull();
    expect(filterCandidate('something else entirely')).toBeNull();
  });
});

describe('filterSdp', () => {
  it('hides internal addresses in o=, c= and a=rtcp lines and drops internal candidates', () => {
    const sdp = [
      'v=0',
      'o=- 6909469958741308020 2 IN IP4 127.0.0.1',
      's=-',
      'm=video 60444 UDP/TLS/RTP/SAVPF 96',
      'c=IN IP4 192.168.4.7',
      'a=rtcp:9 IN IP4 10.0.0.1',
      'a=candidate:3229573512 1 udp 2122194687 192.168.4.7 60444 typ host generation 0',
      'a=candidate:1853887674 1 udp 41885439 198.199.1.5 61231 typ relay raddr 192.168.4.7 rport 60444 generation 0',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'c=IN IP6 fd00::2',
      'a=mid:1',
      '',
    ].join('\r\n');

    expect(filterSdp(sdp)).toBe(
      [
        'v=0',
        'o=- 6909469958741308020 2 IN IP4 0.0.0.0',
        's=-',
        'm=video 60444 UDP/TLS/RTP/SAVPF 96',
        'c=IN IP4 0.0.0.0',
        'a=rtcp:9 IN IP4 0.0.0.0',
        'a=candidate:1853887674 1 udp 41885439 198.199.1.5 61231 typ relay raddr 0.0.0.0 rport 0 generation 0',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP6 ::',
        'a=mid:1',
        '',
      ].join('\r\n'),
    );
  });
});

describe('filterSignal with what wrtc really produces', () => {
  let pc: RTCPeerConnection | null = null;
  afterEach(() => pc?.close());

  /** The agent's real interface addresses, loopback included. */
  const ownAddresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((entry) => entry.address.replace(/%.*$/, ''));

  async function gather(): Promise<{ candidates: SignalData[]; offer: SignalData }> {
    pc = new wrtc.RTCPeerConnection({ iceServers: [] }) as RTCPeerConnection;
    pc.createDataChannel('session');
    const candidates: SignalData[] = [];
    const done = new Promise<void>((resolve) => {
      pc!.onicecandidate = (event) => {
        if (!event.candidate) return resolve();
        const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
        candidates.push({ type: 'candidate', candidate: { candidate, sdpMid, sdpMLineIndex } });
      };
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;

    return { candidates, offer: { type: 'offer', sdp: pc.localDescription!.sdp } };
  }

  /** Which of the agent's own addresses appear as a word in the given signals. */
  function addressesIn(data: (SignalData | null)[]): string[] {
    const words = data
      .map((d) => (d?.type === 'candidate' ? d.candidate.candidate : d && 'sdp' in d ? d.sdp : ''))
      .join('\n')
      .split(/\s+/);
    return ownAddresses.filter((address) => words.includes(address));
  }

  it("sends none of the agent's addresses under 'none' and all of them under 'lan'", async () => {
    const { candidates, offer } = await gather();
    const all = [...candidates, offer];
    expect(candidates.length).toBeGreaterThan(0);
    expect(addressesIn(all)).toContain('127.0.0.1');

    const lan = all.map((data) => filterSignal(data, 'lan'));
    expect(lan).toEqual(all);

    const kept = all.map((data) => filterSignal(data, 'none')).filter((d) => d !== null);
    expect(addressesIn(kept)).toEqual([]);
    expect(kept.filter((d) => d.type === 'candidate')).toEqual([]);
    const sdp = (kept.find((d) => d.type === 'offer') as { sdp: string }).sdp;
    expect(sdp).not.toMatch(/a=candidate/);
    expect(sdp).toMatch(/^o=- \d+ \d+ IN IP4 0\.0\.0\.0\r$/m);
    expect(sdp).toMatch(/a=ice-ufrag:/);
  });

  it('passes the end-of-candidates marker and non-address signals unchanged', () => {
    const end: SignalData = { type: 'candidate', candidate: { candidate: '', sdpMid: '0' } };
    const renegotiate: SignalData = { type: 'renegotiate', renegotiate: true };

    expect(filterSignal(end, 'none')).toBe(end);
    expect(filterSignal(renegotiate, 'none')).toBe(renegotiate);
  });
});
