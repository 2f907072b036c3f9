import type { z } from 'zod';
import { ErrorBody } from '../../../shared/errors.ts';
import {
  CreateJobsResponse,
  IssueLicenceResponse,
  SoftwareOverview,
  UploadResponse,
  type CreateJobsRequest,
  type IssueLicenceRequest,
  type UploadFields,
} from '../../../shared/software.ts';

/** An answer from the software API: the validated body, or words for the person. */
export type Answer<T> = { ok: true; value: T } | { ok: false; message: string };

const UNREACHABLE = 'Cannot reach the Tether server. Check the network connection and try again.';
const UNEXPECTED = 'The server sent an answer the console does not understand.';

/** GET /api/software. */
export async function fetchOverview(): Promise<Answer<SoftwareOverview>> {
  return request('/api/software', { method: 'GET' }, SoftwareOverview);
}

/** POST /api/software/jobs: deliver a package to devices or to a whole facility. */
export async function createJobs(body: CreateJobsRequest): Promise<Answer<CreateJobsResponse>> {
  return request('/api/software/jobs', jsonPost(body), CreateJobsResponse);
}

/** POST /api/software/licences: issue a signed licence and deliver it. */
export async function issueLicence(
  body: IssueLicenceRequest,
): Promise<Answer<IssueLicenceResponse>> {
  return request('/api/software/licences', jsonPost(body), IssueLicenceResponse);
}

/**
 * POST /api/software/packages with the file as the body and the fields in the query.
 * XMLHttpRequest rather than fetch, because only it reports upload progress.
 */
export function uploadPackage(
  file: File,
  fields: UploadFields,
  onProgress: (fraction: number) => void,
): Promise<Answer<UploadResponse>> {
  const query = new URLSearchParams({
    name: fields.name,
    version: fields.version,
    kind: fields.kind,
    models: fields.models.join(','),
    notes: fields.notes,
  });

  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/software/packages?${query}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => resolve({ ok: false, message: UNREACHABLE });
    xhr.onload = () => resolve(interpret(xhr.status, parse(xhr.responseText), UploadResponse));
    xhr.send(file);
  });
}

function jsonPost(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

async function request<T>(
  url: string,
  init: RequestInit,
  schema: z.ZodType<T>,
): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, credentials: 'same-origin' });
  } catch {
    return { ok: false, message: UNREACHABLE };
  }
  return interpret(response.status, parse(await response.text()), schema);
}

function interpret<T>(status: number, raw: unknown, schema: z.ZodType<T>): Answer<T> {
  if (status >= 200 && status < 300) {
    const body = schema.safeParse(raw);
    return body.success ? { ok: true, value: body.data } : { ok: false, message: UNEXPECTED };
  }
  const error = ErrorBody.safeParse(raw);
  if (error.success) return { ok: false, message: error.data.message };
  return { ok: false, message: `The server refused the request (HTTP ${status}).` };
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
