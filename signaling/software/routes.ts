import type { IncomingMessage } from 'node:http';
import { TetherError } from '../../shared/errors.ts';
import type { UserView } from '../../shared/protocol/views.ts';
import {
  CreateJobsRequest,
  IssueLicenceRequest,
  UploadFields,
  type CreateJobsResponse,
  type SoftwareOverview,
  type UploadResponse,
} from '../../shared/software.ts';
import type { AgentDirectory } from '../agents/directory.ts';
import type { AuditLedger } from '../audit/ledger.ts';
import type { WebSessionStore } from '../auth/web-sessions.ts';
import { readBody, sendJson } from '../http/respond.ts';
import { Router } from '../http/router.ts';
import type { Logger } from '../log.ts';
import type { SoftwareDelivery } from './delivery.ts';
import type { JobStore } from './job-store.ts';
import type { PackageStore } from './package-store.ts';
import type { ReleaseKey } from './release-key.ts';
import { receiveFile } from './upload.ts';

/** Largest package accepted by default: 256 MiB. */
export const DEFAULT_MAX_PACKAGE_BYTES = 256 * 1024 * 1024;

export interface SoftwareRouteDeps {
  webSessions: WebSessionStore;
  packages: PackageStore;
  jobs: JobStore;
  delivery: SoftwareDelivery;
  directory: AgentDirectory;
  audit: AuditLedger;
  releaseKey: ReleaseKey;
  maxPackageBytes: number;
  log: Logger;
}

/**
 * The Software & licences API:
 * - `GET /api/software`: packages, deliveries, licences and agents (SoftwareOverview).
 * - `POST /api/software/packages?name=&version=&kind=&models=a,b&notes=`: the body is the
 *   package file itself, streamed to disk; admins only.
 * - `POST /api/software/jobs`: deliver a package to devices or a facility (CreateJobsRequest).
 * - `POST /api/software/licences`: issue and deliver a licence (IssueLicenceRequest).
 */
export function softwareRoutes(deps: SoftwareRouteDeps): Router {
  const { packages, jobs, delivery, directory, log } = deps;

  return new Router()
    .add('GET', '/api/software', async (req, res) => {
      await signedIn(deps, req);
      const reply: SoftwareOverview = {
        packages: await packages.list(),
        jobs: await jobs.list(),
        licences: await jobs.licences(),
        agents: await directory.list(),
        releaseKeyFingerprint: deps.releaseKey.fingerprint,
      };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/software/packages', async (req, res) => {
      const user = await signedIn(deps, req);
      if (user.role !== 'admin') {
        req.resume();
        throw new TetherError(
          'forbidden',
          'Only administrators can upload packages. Ask an administrator to upload this one.',
        );
      }
      const fields = uploadFields(req);

      const { id, uploadPath } = packages.reserve();
      const file = await receiveFile(req, uploadPath, deps.maxPackageBytes);
      const view = await packages.add(id, file, fields, user);
      await deps.audit.append({
        actor: `user:${user.id}`,
        action: 'software.package_uploaded',
        detail: {
          packageId: id,
          name: view.name,
          version: view.version,
          kind: view.kind,
          models: view.models,
          size: view.size,
          sha256: view.sha256,
          keyFingerprint: view.keyFingerprint,
        },
      });
      log.info({ packageId: id, name: view.name, version: view.version }, 'package uploaded');
      const reply: UploadResponse = { package: view };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/software/jobs', async (req, res) => {
      const user = await mayDeliver(deps, req);
      const reply: CreateJobsResponse = {
        jobs: await delivery.createJobs(user, await readBody(req, CreateJobsRequest)),
      };
      sendJson(res, 200, reply);
    })
    .add('POST', '/api/software/licences', async (req, res) => {
      const user = await mayDeliver(deps, req);
      sendJson(
        res,
        200,
        await delivery.issueLicence(user, await readBody(req, IssueLicenceRequest)),
      );
    });
}

async function signedIn(deps: SoftwareRouteDeps, req: IncomingMessage): Promise<UserView> {
  const session = await deps.webSessions.resolve(req.headers.cookie);
  if (!session) {
    req.resume();
    throw new TetherError('unauthenticated', 'You are not signed in.');
  }
  return session.user;
}

/** Technicians and administrators deliver; experts join sessions but deliver nothing. */
async function mayDeliver(deps: SoftwareRouteDeps, req: IncomingMessage): Promise<UserView> {
  const user = await signedIn(deps, req);
  if (user.role === 'expert') {
    throw new TetherError('forbidden', 'Experts cannot deliver software or licences.');
  }
  return user;
}

/** The upload's fields from the query string, with the schema's words on a mistake. */
function uploadFields(req: IncomingMessage): UploadFields {
  const query = new URL(req.url ?? '/', 'http://upload.invalid').searchParams;
  const result = UploadFields.safeParse({
    name: query.get('name') ?? '',
    version: query.get('version') ?? '',
    kind: query.get('kind') ?? '',
    models: (query.get('models') ?? '')
      .split(',')
      .map((model) => model.trim())
      .filter(Boolean),
    notes: query.get('notes') ?? '',
  });
  if (result.success) return result.data;

  req.resume();
  const issue = result.error.issues[0];
  const field = issue?.path[0];
  const message =
    field === 'kind' ? 'Choose whether the package is firmware or software.' : issue?.message;
  throw new TetherError('bad_request', message ?? 'The upload fields are not valid.');
}
