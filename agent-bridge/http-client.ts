import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { z } from 'zod';
import { ErrorBody } from '../shared/errors.ts';
import { parseMessage } from '../shared/protocol/common.ts';
import { proxyAgent } from './net/proxy.ts';

const TIMEOUT_MS = 15_000;

/** The server answered with an error status; `body` is its ErrorBody when it sent one. */
export class HttpRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | undefined,
  ) {
    super(body ? `${body.message} (${body.code})` : `HTTP ${status}`);
    this.name = 'HttpRefusal';
  }
}

/**
 * POSTs `body` as JSON and validates the answer with `schema`. Throws HttpRefusal for an
 * error status, and a plain Error when the server cannot be reached or answers garbage.
 * Goes through the proxy the environment names (net/proxy.ts), which is why this uses
 * node:http rather than fetch: Node 20's fetch ignores proxies.
 */
export async function postJson<T>(url: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
  const { status, text } = await post(url, JSON.stringify(body));

  if (status < 200 || status > 299) {
    const error = parseMessage(ErrorBody, text);
    throw new HttpRefusal(status, error.ok ? error.value : undefined);
  }

  const parsed = parseMessage(schema, text);
  if (!parsed.ok) throw new Error(`unexpected answer from ${url}: ${parsed.error.message}`);

  return parsed.value;
}

/** One POST with a JSON body; resolves with the status and the whole answer as text. */
function post(url: string, json: string): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const signal = AbortSignal.timeout(TIMEOUT_MS);

  return new Promise((resolve, reject) => {
    const failed = (error: Error): void =>
      reject(signal.aborted ? new Error(`no answer from ${url} within 15 s`) : error);
    const answered = (response: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', failed);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    };

    const outgoing = request(
      target,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(json),
        },
        agent: proxyAgent(url),
        signal,
      },
      answered,
    );
    outgoing.on('error', failed);
    outgoing.end(json);
  });
}
