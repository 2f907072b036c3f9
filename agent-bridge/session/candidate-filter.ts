import { isIPv4, isIPv6 } from 'node:net';
import type { SignalData } from '../../shared/protocol/signal.ts';

/** The policy's `network.hostCandidates`: `none` keeps internal addresses inside. */
export type HostCandidatePolicy = 'none' | 'lan';

/**
 * IPv4 ranges that are not reachable from the internet (the IANA special-purpose
 * registry's non-global blocks): private, shared, loopback, link-local, documentation,
 * benchmarking and reserved space. An address in one of them can only describe the
 * facility's own network, so it never leaves the agent.
 */
const INTERNAL_V4: [base: number, bits: number][] = [
  [ipv4('0.0.0.0'), 8],
  [ipv4('10.0.0.0'), 8],
  [ipv4('100.64.0.0'), 10],
  [ipv4('127.0.0.0'), 8],
  [ipv4('169.254.0.0'), 16],
  [ipv4('172.16.0.0'), 12],
  [ipv4('192.0.0.0'), 24],
  [ipv4('192.0.2.0'), 24],
  [ipv4('192.168.0.0'), 16],
  [ipv4('198.18.0.0'), 15],
  [ipv4('198.51.100.0'), 24],
  [ipv4('203.0.113.0'), 24],
  [ipv4('240.0.0.0'), 4],
];

/** The address written where an internal one stood, as browsers do for hidden addresses. */
const HIDDEN_V4 = '0.0.0.0';
const HIDDEN_V6 = '::';

function ipv4(text: string): number {
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

/**
 * Whether `address` could reveal something about the facility's network: every IP that
 * is not globally reachable, every host name (mDNS `.local` names included), and
 * anything that does not parse. Failing closed is the point: an address the filter does
 * not understand is treated as internal.
 */
export function isInternalAddress(address: string): boolean {
  if (isIPv4(address)) {
    const value = ipv4(address);
    return INTERNAL_V4.some(
      ([base, bits]) =>
        Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)),
    );
  }
  if (!isIPv6(address)) return true;

  const lower = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return isInternalAddress(mapped[1]);
  const first = Number.parseInt(lower.startsWith('::') ? '0' : (lower.split(':')[0] ?? '0'), 16);

  return (
    first === 0 || // ::, ::1 and the other reserved low space
    (first & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (first & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (first & 0xffc0) === 0xfec0 || // old site-local fec0::/10
    /^2001:0?db8:/.test(lower) // documentation
  );
}

/**
 * Filters one ICE candidate attribute (`candidate:…`, with or without `a=`) under policy
 * `none`. Returns null to drop it. Host and server-reflexive candidates on an internal
 * address are dropped; a kept candidate's related address (`raddr`, the agent's own
 * address behind a NAT or a TURN allocation) becomes 0.0.0.0 when it is internal. A
 * relay candidate's own address is the TURN server's, which both sides must reach, so it
 * stays. A line that does not parse is dropped.
 */
export function filterCandidate(line: string): string | null {
  const prefix = line.startsWith('a=') ? 'a=' : '';
  const fields = line.slice(prefix.length).split(' ');
  const address = fields[4];
  const typIndex = fields.indexOf('typ');
  const type = typIndex > 0 ? fields[typIndex + 1] : undefined;
  if (!fields[0]?.startsWith('candidate:') || fields.length < 8 || !address || !type) return null;

  if (type !== 'relay' && isInternalAddress(address)) return null;

  const raddr = fields.indexOf('raddr');
  const related = raddr > 0 ? fields[raddr + 1] : undefined;
  if (related !== undefined && isInternalAddress(related)) {
    fields[raddr + 1] = isIPv6(related) ? HIDDEN_V6 : HIDDEN_V4;
    const rport = fields.indexOf('rport');
    if (rport > 0 && fields[rport + 1] !== undefined) fields[rport + 1] = '0';
  }

  return prefix + fields.join(' ');
}

/**
 * Filters an SDP under policy `none`: candidate lines as in `filterCandidate`, and every
 * internal address in the origin (`o=`), connection (`c=`) and `a=rtcp` lines written as
 * 0.0.0.0 (or `::`), which means "no address here; use ICE" and is what a browser sends
 * before it has any candidate.
 */
export function filterSdp(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';

  return sdp
    .split(eol)
    .map((line) => (line.startsWith('a=candidate:') ? filterCandidate(line) : hideAddress(line)))
    .filter((line): line is string => line !== null)
    .join(eol);
}

/** o=, c= and a=rtcp lines end in `IN IP4|IP6 <address>`. */
function hideAddress(line: string): string {
  if (!/^(o=|c=|a=rtcp:)/.test(line)) return line;

  return line.replace(
    /(^c=| )IN (IP4|IP6) (\S+)$/,
    (whole, lead: string, family: string, address: string) =>
      isInternalAddress(address)
        ? `${lead}IN ${family} ${family === 'IP4' ? HIDDEN_V4 : HIDDEN_V6}`
        : whole,
  );
}

/**
 * What the agent may send of one piece of its signalling data: unchanged under `lan`;
 * under `none` with internal addresses removed from descriptions and candidates, or null
 * when the whole candidate must stay inside. The end-of-candidates marker (an empty
 * candidate) always passes.
 */
export function filterSignal(data: SignalData, policy: HostCandidatePolicy): SignalData | null {
  if (policy === 'lan') return data;

  switch (data.type) {
    case 'offer':
    case 'answer':
    case 'pranswer':
      return { ...data, sdp: filterSdp(data.sdp) };
    case 'rollback':
      return data.sdp === undefined ? data : { ...data, sdp: filterSdp(data.sdp) };
    case 'candidate': {
      if (data.candidate.candidate === '') return data;
      const kept = filterCandidate(data.candidate.candidate);
      return kept === null ? null : { ...data, candidate: { ...data.candidate, candidate: kept } };
    }
    default:
      return data;
  }
}
