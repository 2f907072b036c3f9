import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { enrolmentPayload } from '../shared/identity.ts';
import type { EnrolRequest } from '../shared/protocol/http.ts';
import { Backoff } from './backoff.ts';
import { ENROLMENT_FILE, ensureEnrolled } from './enrolment.ts';
import { UserError } from './errors.ts';
import { loadOrCreateIdentity } from './identity.ts';
import { silentLogger } from './log.ts';

const log = silentLogger();
const RELEASE_KEY = 'R'.repeat(43) + '=';
let server: Server | undefined;

afterEach(() => {
  server?.close();
  server = undefined;
});

/** A stand-in for the enrolment endpoint that checks the signature as the server must. */
async function enrolmentEndpoint(
  token: string,
): Promise<{ url: string; requests: EnrolRequest[] }> {
  const requests: EnrolRequest[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = JSON.parse(body) as EnrolRequest;
      requests.push(request);
      const key = createPublicKey({
        key: {
          kty: 'OKP',
          crv: 'Ed25519',
          x: Buffer.from(request.publicKey, 'base64').toString('base64url'),
        },
        format: 'jwk',
      });
      const payload = Buffer.from(enrolmentPayload(request.token, request.publicKey));
      const signed = verify(null, payload, key, Buffer.from(request.signature, 'base64'));

      res.setHeader('content-type', 'application/json');
      if (request.token !== token || !signed) {
        res.statusCode = 403;
        res.end(
          JSON.stringify({
            code: 'enrolment_invalid',
            message: 'The enrolment token is not valid.',
          }),
        );
        return;
      }
      res.end(
        JSON.stringify({
          agentId: agentIdOf.get(request.publicKey),
          facility: { id: 'f1', name: 'Demo Facility' },
          releaseKey: RELEASE_KEY,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));

  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

const agentIdOf = new Map<string, string>();

async function identityIn(dir: string) {
  const identity = await loadOrCreateIdentity(dir, log);
  agentIdOf.set(identity.publicKeyBase64, identity.agentId);
  return identity;
}

describe('ensureEnrolled', () => {
  it('enrols once with a signed request and keeps the record', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'));
    const identity = await identityIn(dir);
    const token = 'tok-0123456789abcdef';
    const { url, requests } = await enrolmentEndpoint(token);
    const options = { dataDir: dir, serverUrl: url, name: 'Ward PC', token, identity, log };

    const first = await ensureEnrolled(options);
    const again = await ensureEnrolled({ ...options, token: undefined });

    expect(first).toMatchObject({
      agentId: identity.agentId,
      facility: { name: 'Demo Facility' },
      releaseKey: RELEASE_KEY,
    });
    expect(again).toEqual(first);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ name: 'Ward PC', publicKey: identity.publicKeyBase64 });
    expect(JSON.parse(readFileSync(join(dir, ENROLMENT_FILE), 'utf8'))).toEqual(first);
  });

  it('asks for a token when not enrolled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'));
    const identity = await identityIn(dir);
    const options = {
      dataDir: dir,
      serverUrl: 'http://127.0.0.1:9',
      name: 'x',
      token: undefined,
      identity,
      log,
    };

    await expect(ensureEnrolled(options)).rejects.toThrow(/TETHER_ENROLMENT_TOKEN/);
  });

  it("passes on the server's refusal in its own words", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'));
    const identity = await identityIn(dir);
    const { url } = await enrolmentEndpoint('tok-right-0123456789');
    const options = {
      dataDir: dir,
      serverUrl: url,
      name: 'x',
      token: 'tok-wrong-0123456789',
      identity,
      log,
    };

    const error = await ensureEnrolled(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'The server refused enrolment: The enrolment token is not valid. (enrolment_invalid)',
    );
  });

  it('gives up on an unreachable server only when the retry policy says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'));
    const identity = await identityIn(dir);
    const backoff = new Backoff({ initialMs: 1, maxAttempts: 2 });
    const options = {
      dataDir: dir,
      serverUrl: 'http://127.0.0.1:9',
      name: 'x',
      token: 'tok-0123456789abcdef',
      identity,
      log,
      backoff,
    };

    await expect(ensureEnrolled(options)).rejects.toThrow(/Cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(backoff.attempts).toBe(2);
  });

  it('refuses a record made for another key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'enrol-'));
    const identity = await identityIn(dir);
    writeFileSync(
      join(dir, ENROLMENT_FILE),
      JSON.stringify({
        agentId: 'ag-other',
        facility: { id: 'f', name: 'F' },
        serverUrl: 'x',
        enrolledAt: 'y',
      }),
    );
    const options = {
      dataDir: dir,
      serverUrl: 'http://x',
      name: 'x',
      token: undefined,
      identity,
      log,
    };

    await expect(ensureEnrolled(options)).rejects.toThrow(/belongs to agent ag-other/);
  });
});
