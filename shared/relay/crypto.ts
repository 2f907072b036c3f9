import { TetherError } from '../errors.ts';
import { verifySignedText } from '../identity.ts';
import { fromBase64, toBase64, utf8 } from './bytes.ts';

/**
 * The relay's end-to-end encryption, in Web Crypto only so that the browser and the
 * agent run the same code.
 *
 * Both ends make an ephemeral ECDH P-256 key per relay. The agent signs the transcript
 * (session ID and both public keys) with its enrolled Ed25519 identity key; the console
 * checks the signature against the key the server says it enrolled. The console trusts
 * the server for that key, so a server that lies about the enrolled key could stand in
 * the middle; a server that only forwards cannot read or alter a frame. HKDF-SHA-256
 * turns the shared secret into one AES-256-GCM key per direction, salted with the
 * transcript's hash. Each frame carries its sequence number, which is also its nonce;
 * a frame out of order, replayed or altered ends the relay.
 */

const subtle = globalThis.crypto.subtle;
const ECDH = { name: 'ECDH', namedCurve: 'P-256' } as const;
const SEQ_BYTES = 8;
const TAG_BYTES = 16;

/** Bytes a frame adds to its plaintext: the sequence number and the GCM tag. */
export const FRAME_OVERHEAD = SEQ_BYTES + TAG_BYTES;

export type RelayRole = 'console' | 'agent';

/** One end's ephemeral key agreement key. */
export interface Ephemeral {
  keyPair: CryptoKeyPair;
  /** The raw public point in base64, as the wire carries it. */
  publicKey: string;
}

/** The two directions' keys, from one end's point of view. */
export interface RelayKeys {
  send: CryptoKey;
  receive: CryptoKey;
}

/** Makes a fresh ECDH key for one relay; the private half cannot be exported. */
export async function makeEphemeral(): Promise<Ephemeral> {
  const keyPair = await subtle.generateKey(ECDH, false, ['deriveBits']);
  const raw = new Uint8Array(await subtle.exportKey('raw', keyPair.publicKey));

  return { keyPair, publicKey: toBase64(raw) };
}

/** What the agent signs: bound to the session and to both ephemeral keys. */
export function relayTranscript(sessionId: string, consoleKey: string, agentKey: string): string {
  return `tether-relay/v1\n${sessionId}\n${consoleKey}\n${agentKey}`;
}

/**
 * Checks the agent's signature over the transcript with its enrolled key (raw Ed25519,
 * base64). Throws, in words, when it does not verify.
 */
export async function verifyAgentSignature(
  identityKey: string,
  transcript: string,
  signature: string,
): Promise<void> {
  if (!(await verifySignedText(identityKey, transcript, signature))) {
    throw new TetherError(
      'proof_invalid',
      "The relay's answer was not signed by the facility agent's enrolled key; the relay was refused.",
    );
  }
}

/** Derives both directions' AES-GCM keys from the ECDH secret and the transcript. */
export async function deriveRelayKeys(
  role: RelayRole,
  own: Ephemeral,
  peerPublicKey: string,
  transcript: string,
): Promise<RelayKeys> {
  const raw = fromBase64(peerPublicKey);
  if (!raw) throw new TetherError('bad_request', "The other end's relay key is not base64.");

  let peer: CryptoKey;
  try {
    peer = await subtle.importKey('raw', raw as BufferSource, ECDH, false, []);
  } catch {
    throw new TetherError('bad_request', "The other end's relay key is not a P-256 public key.");
  }
  const secret = await subtle.deriveBits(
    { name: 'ECDH', public: peer },
    own.keyPair.privateKey,
    256,
  );
  const material = await subtle.importKey('raw', secret, 'HKDF', false, ['deriveKey']);
  const salt = await subtle.digest('SHA-256', utf8(transcript) as BufferSource);
  const direction = async (info: string): Promise<CryptoKey> =>
    subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt, info: utf8(info) as BufferSource },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  const toAgent = await direction('tether-relay/v1 console to agent');
  const toConsole = await direction('tether-relay/v1 agent to console');

  return role === 'console'
    ? { send: toAgent, receive: toConsole }
    : { send: toConsole, receive: toAgent };
}

/** Seals frames in one direction, numbering them from 0. Calls must not overlap. */
export class FrameSealer {
  readonly #key: CryptoKey;
  #next = 0n;

  constructor(key: CryptoKey) {
    this.#key = key;
  }

  async seal(plaintext: Uint8Array): Promise<Uint8Array> {
    const seq = this.#next;
    this.#next += 1n;
    const header = seqBytes(seq);
    const sealed = await subtle.encrypt(
      { name: 'AES-GCM', iv: nonce(header) as BufferSource },
      this.#key,
      plaintext as BufferSource,
    );

    const frame = new Uint8Array(SEQ_BYTES + sealed.byteLength);
    frame.set(header, 0);
    frame.set(new Uint8Array(sealed), SEQ_BYTES);
    return frame;
  }
}

/**
 * Opens frames in one direction. Only the next sequence number is accepted, so a
 * replayed, dropped or reordered frame fails, as does any altered byte.
 */
export class FrameOpener {
  readonly #key: CryptoKey;
  #expected = 0n;

  constructor(key: CryptoKey) {
    this.#key = key;
  }

  async open(frame: Uint8Array): Promise<Uint8Array> {
    if (frame.length < FRAME_OVERHEAD) {
      throw new TetherError('bad_request', 'A relay frame was cut short; the relay was ended.');
    }
    const header = frame.subarray(0, SEQ_BYTES);
    const seq = new DataView(header.buffer, header.byteOffset, SEQ_BYTES).getBigUint64(0);
    if (seq !== this.#expected) {
      const what = seq < this.#expected ? 'was replayed' : 'arrived out of order';
      throw new TetherError(
        'bad_request',
        `Relay frame ${seq} ${what} (expected ${this.#expected}); the relay was ended.`,
      );
    }

    let plaintext: ArrayBuffer;
    try {
      plaintext = await subtle.decrypt(
        { name: 'AES-GCM', iv: nonce(header) as BufferSource },
        this.#key,
        frame.subarray(SEQ_BYTES) as BufferSource,
      );
    } catch {
      throw new TetherError(
        'bad_request',
        'A relay frame was altered on the way (it failed its integrity check); the relay was ended.',
      );
    }
    this.#expected += 1n;
    return new Uint8Array(plaintext);
  }
}

function seqBytes(seq: bigint): Uint8Array {
  const bytes = new Uint8Array(SEQ_BYTES);
  new DataView(bytes.buffer).setBigUint64(0, seq);
  return bytes;
}

/** 96-bit GCM nonce: four zero bytes and the sequence number. Each key has its own count. */
function nonce(seq: Uint8Array): Uint8Array {
  const iv = new Uint8Array(12);
  iv.set(seq, 4);
  return iv;
}
