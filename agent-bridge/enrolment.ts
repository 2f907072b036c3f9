import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { enrolmentPayload } from '../shared/identity.ts';
import { EnrolResponse, type EnrolRequest } from '../shared/protocol/http.ts';
import { FacilityView } from '../shared/protocol/views.ts';
import { Backoff } from './backoff.ts';
import { describeError, UserError } from './errors.ts';
import { HttpRefusal, postJson } from './http-client.ts';
import type { Identity } from './identity.ts';
import type { Logger } from './log.ts';

/** File name of the enrolment record inside the agent's data folder. */
export const ENROLMENT_FILE = 'enrolment.json';

/** What the agent keeps after enrolling: who it is to the server and which facility it serves. */
export const Enrolment = z.object({
  agentId: z.string(),
  facility: FacilityView,
  serverUrl: z.string(),
  enrolledAt: z.string(),
  /** The release key the server gave at enrolment; absent in records made before it did. */
  releaseKey: z.string().optional(),
});
export type Enrolment = z.infer<typeof Enrolment>;

export interface EnrolOptions {
  dataDir: string;
  serverUrl: string;
  name: string;
  token: string | undefined;
  identity: Identity;
  log: Logger;
  /** Retry policy while the server cannot be reached; refusals are never retried. */
  backoff?: Backoff;
}

/**
 * Returns the saved enrolment, or enrols with the one-time token and saves the result.
 * A missing token or a refusal by the server is a UserError (exit 2); an unreachable
 * server is retried with backoff, since the server may simply be starting.
 */
export async function ensureEnrolled(options: EnrolOptions): Promise<Enrolment> {
  const file = join(options.dataDir, ENROLMENT_FILE);
  if (existsSync(file)) return readEnrolment(file, options.identity.agentId);

  if (!options.token) {
    throw new UserError(
      `This agent is not enrolled yet (no ${file}). Set TETHER_ENROLMENT_TOKEN to the ` +
        'one-time token an administrator created for this facility.',
    );
  }

  const response = await enrolWithRetry(options, options.token);
  if (response.agentId !== options.identity.agentId) {
    throw new UserError(
      `The server enrolled agent ${response.agentId}, but this key is ${options.identity.agentId}.`,
    );
  }

  const enrolment: Enrolment = {
    ...response,
    serverUrl: options.serverUrl,
    enrolledAt: new Date().toISOString(),
  };
  writeAtomically(file, `${JSON.stringify(enrolment, null, 2)}\n`);
  options.log.info(
    { agentId: enrolment.agentId, facility: enrolment.facility.name },
    'agent enrolled',
  );

  return enrolment;
}

/**
 * Enrols again with a fresh one-time token, replacing the saved record: for a server that
 * no longer knows this agent (its database was reset, say). The key stays the same.
 */
export async function renewEnrolment(
  options: EnrolOptions & { token: string },
): Promise<Enrolment> {
  const response = await enrolWithRetry(options, options.token);
  const enrolment: Enrolment = {
    ...response,
    serverUrl: options.serverUrl,
    enrolledAt: new Date().toISOString(),
  };
  writeAtomically(join(options.dataDir, ENROLMENT_FILE), `${JSON.stringify(enrolment, null, 2)}\n`);
  options.log.info({ agentId: enrolment.agentId }, 'agent enrolled again');

  return enrolment;
}

function readEnrolment(file: string, agentId: string): Enrolment {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: cannot read the enrolment record (${describeError(error)}).`);
  }

  const parsed = Enrolment.safeParse(value);
  if (!parsed.success) {
    throw new UserError(`${file}: not a valid enrolment record; remove it and enrol again.`);
  }
  if (parsed.data.agentId !== agentId) {
    throw new UserError(
      `${file} belongs to agent ${parsed.data.agentId}, but the identity key is ${agentId}; ` +
        'remove the file and enrol again with a new token.',
    );
  }

  return parsed.data;
}

async function enrolWithRetry(options: EnrolOptions, token: string): Promise<EnrolResponse> {
  const url = `${options.serverUrl}/api/agents/enrol`;
  const request: EnrolRequest = {
    token,
    publicKey: options.identity.publicKeyBase64,
    name: options.name,
    signature: options.identity.sign(enrolmentPayload(token, options.identity.publicKeyBase64)),
  };
  const backoff = options.backoff ?? new Backoff();

  for (;;) {
    try {
      return await postJson(url, request, EnrolResponse);
    } catch (error) {
      if (error instanceof HttpRefusal) {
        throw new UserError(`The server refused enrolment: ${error.message}`);
      }

      const delay = backoff.next();
      if (delay === null) throw new UserError(`Cannot reach ${url}: ${describeError(error)}`);
      options.log.warn({ url, error: describeError(error), retryInMs: delay }, 'enrolment failed');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, file);
}
