import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  type KeyObject,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agentIdFromPublicKey } from '../shared/identity.ts';
import { describeError, UserError } from './errors.ts';
import type { Logger } from './log.ts';

/** File name of the private key inside the agent's data folder. */
export const IDENTITY_FILE = 'identity.key';

/**
 * The agent's Ed25519 identity. The private key stays in `<dataDir>/identity.key`
 * (mode 0600); only the public key and signatures ever leave the machine.
 */
export interface Identity {
  /** `ag-…`, derived from the public key, so it is stable for as long as the key file is. */
  agentId: string;
  /** Standard base64 of the raw 32-byte public key, as the wire wants it. */
  publicKeyBase64: string;
  /** Signs UTF-8 `payload`; returns the 64-byte signature in standard base64. */
  sign(payload: string): string;
}

/** Loads the key from `dataDir`, or makes one on first start. */
export async function loadOrCreateIdentity(dataDir: string, log: Logger): Promise<Identity> {
  ensurePrivateDir(dataDir);
  const file = join(dataDir, IDENTITY_FILE);

  const privateKey = existsSync(file) ? readKey(file, log) : createKey(file, log);
  const raw = rawPublicKey(privateKey);
  const agentId = await agentIdFromPublicKey(raw);

  return {
    agentId,
    publicKeyBase64: raw.toString('base64'),
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64'),
  };
}

function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir leaves an existing folder as it was, and the umask may have widened a new one.
    chmodSync(dir, 0o700);
  } catch (error) {
    throw new UserError(
      `TETHER_AGENT_DATA_DIR ${dir}: cannot create it (${describeError(error)}).`,
    );
  }
}

function readKey(file: string, log: Logger): KeyObject {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    log.warn({ file, mode: mode.toString(8) }, 'identity key was readable by others; set to 0600');
    chmodSync(file, 0o600);
  }

  try {
    const key = createPrivateKey(readFileSync(file, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    return key;
  } catch (error) {
    throw new UserError(`${file}: not a usable Ed25519 private key (${describeError(error)}).`);
  }
}

function createKey(file: string, log: Logger): KeyObject {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  // 'wx' refuses to overwrite a key another process wrote a moment ago.
  writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  log.info({ file }, 'identity key created');

  return privateKey;
}

function rawPublicKey(privateKey: KeyObject): Buffer {
  // The JWK form of an Ed25519 key carries the raw 32 bytes as base64url in `x`.
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('Ed25519 public key without x');

  return Buffer.from(jwk.x, 'base64url');
}
