import {
  OpaqueServer,
  RegistrationRecord,
  RegistrationRequest,
  type AKEExportKeyPair,
} from '@cloudflare/opaque-ts';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  CREDENTIAL_ID,
  fromBase64,
  OPAQUE_CONFIG,
  passwordProblem,
  registerPassword,
  toBase64,
} from '../../shared/access-password.ts';
import { TetherError } from '../../shared/errors.ts';
import { describeError, UserError } from '../errors.ts';

/** The file in the agent's data folder that holds the verifier, readable by its owner only. */
export const VERIFIER_FILE = 'access-password.json';

const Base64 = z.string().min(4).max(2000);

const Stored = z.strictObject({
  version: z.literal(1),
  suite: z.literal('opaque-p256-sha256-scrypt'),
  /** The agent's secret for the password's oblivious evaluation. */
  oprfSeed: Base64,
  /** The agent's long-term key pair for the exchange. */
  serverKeyPair: z.strictObject({ privateKey: Base64, publicKey: Base64 }),
  /** The registration record: what the password was turned into, not the password. */
  record: Base64,
  setAt: z.string().max(40),
});

/** What the agent holds to check an access password: never the password itself. */
export interface Verifier {
  server: OpaqueServer;
  record: RegistrationRecord;
  setAt: string;
}

/**
 * Sets the access password: registers it with OPAQUE on this computer, as a fresh agent
 * key pair and record, and writes those (mode 0600) in place of any earlier ones. The
 * password is not written anywhere, and is gone once this returns. Throws UserError in
 * words for a password that is too short.
 */
export async function setAccessPassword(dataDir: string, password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(problem);

  const oprfSeed = OPAQUE_CONFIG.prng.random(OPAQUE_CONFIG.hash.Nh);
  const keyPair = await OPAQUE_CONFIG.ake.generateAuthKeyPair();
  const server = new OpaqueServer(OPAQUE_CONFIG, oprfSeed, keyPair);
  const record = await registerPassword(password, async (request) => {
    const response = await server.registerInit(
      RegistrationRequest.deserialize(OPAQUE_CONFIG, request),
      CREDENTIAL_ID,
    );
    if (response instanceof Error) throw response;
    return response;
  });

  const setAt = new Date().toISOString();
  const stored: z.infer<typeof Stored> = {
    version: 1,
    suite: 'opaque-p256-sha256-scrypt',
    oprfSeed: toBase64(oprfSeed),
    serverKeyPair: {
      privateKey: toBase64(keyPair.private_key),
      publicKey: toBase64(keyPair.public_key),
    },
    record: toBase64(record.serialize()),
    setAt,
  };
  const file = join(dataDir, VERIFIER_FILE);
  const temporary = `${file}.tmp`;
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  } catch (error) {
    throw new UserError(`Cannot write ${file} (${describeError(error)}).`);
  }
  return file;
}

/** Removes the verifier; says whether there was one. */
export function clearAccessPassword(dataDir: string): boolean {
  const file = join(dataDir, VERIFIER_FILE);
  if (!existsSync(file)) return false;

  try {
    rmSync(file);
  } catch (error) {
    throw new UserError(`Cannot remove ${file} (${describeError(error)}).`);
  }
  return true;
}

/**
 * The verifier facility IT set, or null when none is set. Read at each attempt, so that
 * setting or clearing the password takes effect without restarting the agent. A file
 * that cannot be read refuses unattended access, with the reason for the log.
 */
export function loadVerifier(dataDir: string): Verifier | null {
  const file = join(dataDir, VERIFIER_FILE);
  if (!existsSync(file)) return null;

  try {
    const stored = Stored.parse(JSON.parse(readFileSync(file, 'utf8')));
    const keyPair: AKEExportKeyPair = {
      private_key: fromBase64(stored.serverKeyPair.privateKey),
      public_key: fromBase64(stored.serverKeyPair.publicKey),
    };
    return {
      server: new OpaqueServer(OPAQUE_CONFIG, fromBase64(stored.oprfSeed), keyPair),
      record: RegistrationRecord.deserialize(OPAQUE_CONFIG, fromBase64(stored.record)),
      setAt: stored.setAt,
    };
  } catch (error) {
    throw new TetherError(
      'internal',
      `The access password file ${file} cannot be read (${describeError(error)}).`,
    );
  }
}
