import { z } from 'zod';
import { Id, IsoTime, Person } from './protocol/common.ts';
import { AgentView, FacilityView } from './protocol/views.ts';

/**
 * Software packages, firmware images and device licences: what the server signs, what
 * the agent verifies, and the views the console and the consent page show.
 *
 * Trust: the server holds one Ed25519 release key. It signs a package's manifest (which
 * carries the SHA-256 of the package's bytes) and every licence. The agent pins the
 * release public key from the server's first `hello` and from then on verifies with the
 * pinned key only, so a server that later presents another key cannot get anything
 * installed. The signed bytes are `manifestPayload` / `licencePayload` below.
 */

export const PACKAGE_KINDS = ['firmware', 'software'] as const;
export const PackageKind = z.enum(PACKAGE_KINDS);
export type PackageKind = z.infer<typeof PackageKind>;

/** Bytes per chunk on the agent socket: base64 of it stays under the 64 KiB message limit. */
export const CHUNK_BYTES = 32 * 1024;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const Signature = z.string().min(80).max(100);
const Version = z.string().trim().min(1).max(40);
const Model = z.string().trim().min(1).max(80);
const LicenceOption = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .regex(/^[\w .+-]+$/, 'Option names use letters, digits, spaces and . + - _ only.');

/** What the release key signs for a package. */
export const PackageManifest = z.object({
  packageId: Id,
  name: z.string().trim().min(1).max(120),
  version: Version,
  kind: PackageKind,
  /** Device models the package is for; the agent refuses it for any other model. */
  models: z.array(Model).min(1).max(20),
  size: z.number().int().min(1),
  sha256: Sha256Hex,
  notes: z.string().max(2000),
  createdAt: IsoTime,
});
export type PackageManifest = z.infer<typeof PackageManifest>;

/** What the release key signs for a licence: one device, some options, until a time. */
export const LicenceBody = z.object({
  licenceId: Id,
  deviceSerial: z.string().min(1).max(80),
  deviceModel: Model,
  options: z.array(LicenceOption).min(1).max(20),
  expiresAt: IsoTime,
  issuedAt: IsoTime,
});
export type LicenceBody = z.infer<typeof LicenceBody>;

/** The exact text the release key signs for a manifest; field order is fixed here. */
export function manifestPayload(m: PackageManifest): string {
  const fields = [m.packageId, m.name, m.version, m.kind, m.models, m.size, m.sha256, m.notes];
  return `tether-package/v1\n${JSON.stringify([...fields, m.createdAt])}`;
}

/** The exact text the release key signs for a licence. */
export function licencePayload(l: LicenceBody): string {
  const fields = [l.licenceId, l.deviceSerial, l.deviceModel, l.options, l.expiresAt];
  return `tether-licence/v1\n${JSON.stringify([...fields, l.issuedAt])}`;
}

/**
 * Where one device stands with one delivery. Terminal: declined, installed, rolled_back,
 * refused (the agent would not accept it: signature, checksum, model, expiry), failed.
 */
export const TARGET_STATES = [
  'queued',
  'offered',
  'scheduled',
  'declined',
  'downloading',
  'verifying',
  'installing',
  'installed',
  'rolled_back',
  'refused',
  'failed',
] as const;
export const TargetState = z.enum(TARGET_STATES);
export type TargetState = z.infer<typeof TargetState>;

const TERMINAL: readonly TargetState[] = [
  'declined',
  'installed',
  'rolled_back',
  'refused',
  'failed',
];

export function isTerminal(state: TargetState): boolean {
  return TERMINAL.includes(state);
}

/** A time window for an install, chosen by facility staff. */
export const InstallWindow = z.object({ start: IsoTime, end: IsoTime });
export type InstallWindow = z.infer<typeof InstallWindow>;

/** What is being delivered, as the agent receives it: signed, so the agent can check it. */
export const OfferItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('package'), manifest: PackageManifest, signature: Signature }),
  z.object({ kind: z.literal('licence'), licence: LicenceBody, signature: Signature }),
]);
export type OfferItem = z.infer<typeof OfferItem>;

/** ServerToAgent `software.offer`: a delivery for some of the agent's devices. */
export const SoftwareOffer = z.object({
  type: z.literal('software.offer'),
  jobId: Id,
  technician: Person,
  createdAt: IsoTime,
  deviceIds: z.array(Id).min(1).max(100),
  item: OfferItem,
});
export type SoftwareOffer = z.infer<typeof SoftwareOffer>;

/** ServerToAgent `software.chunk`: bytes of a package, answering one chunk request. */
export const SoftwareChunk = z.object({
  type: z.literal('software.chunk'),
  jobId: Id,
  offset: z.number().int().min(0),
  total: z.number().int().min(1),
  /** Base64 of at most CHUNK_BYTES bytes. */
  data: z.string().max(Math.ceil(CHUNK_BYTES / 3) * 4),
});
export type SoftwareChunk = z.infer<typeof SoftwareChunk>;

/** ServerToAgent `software.unavailable`: the server cannot serve this job any more. */
export const SoftwareUnavailable = z.object({
  type: z.literal('software.unavailable'),
  jobId: Id,
  reason: z.string().max(500),
});

/** AgentToServer `software.chunk.request`: the agent asks for the next bytes it lacks. */
export const ChunkRequest = z.object({
  type: z.literal('software.chunk.request'),
  jobId: Id,
  offset: z.number().int().min(0),
  length: z.number().int().min(1).max(CHUNK_BYTES),
});
export type ChunkRequest = z.infer<typeof ChunkRequest>;

/** AgentToServer `software.report`: one step of a delivery, for one device or all of them. */
export const SoftwareReport = z.object({
  type: z.literal('software.report'),
  jobId: Id,
  /** Null: the step concerns every device of the job (download, verification). */
  deviceId: Id.nullable(),
  state: TargetState,
  /** 0 to 1 while downloading or installing. */
  progress: z.number().min(0).max(1).nullable(),
  /** Words for people: a reason for a refusal or a rollback, what a schedule is. */
  detail: z.string().max(500).nullable(),
  /** The device's firmware version after the step, when it concerns one device. */
  firmware: z.string().max(40).nullable(),
  window: InstallWindow.nullable(),
});
export type SoftwareReport = z.infer<typeof SoftwareReport>;

// ---- Console views -------------------------------------------------------------------

export const PackageView = z.object({
  id: Id,
  name: z.string().max(120),
  version: z.string().max(40),
  kind: PackageKind,
  models: z.array(z.string().max(80)).max(20),
  size: z.number().int(),
  sha256: z.string().max(64),
  notes: z.string().max(2000),
  /** Fingerprint of the release key that signed the manifest. */
  keyFingerprint: z.string().max(80),
  uploadedBy: z.string().max(120),
  uploadedAt: IsoTime,
});
export type PackageView = z.infer<typeof PackageView>;

export const TargetView = z.object({
  deviceId: Id,
  deviceName: z.string().max(120),
  state: TargetState,
  progress: z.number().min(0).max(1).nullable(),
  detail: z.string().max(500).nullable(),
  firmware: z.string().max(40).nullable(),
  updatedAt: IsoTime,
});
export type TargetView = z.infer<typeof TargetView>;

export const JobItemView = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('package'),
    packageId: Id,
    name: z.string().max(120),
    version: z.string().max(40),
    packageKind: PackageKind,
  }),
  z.object({
    kind: z.literal('licence'),
    licenceId: Id,
    options: z.array(z.string().max(60)).max(20),
    expiresAt: IsoTime,
  }),
]);
export type JobItemView = z.infer<typeof JobItemView>;

/** One delivery to one agent, with where each of its devices stands. */
export const JobView = z.object({
  id: Id,
  agentId: Id,
  agentName: z.string().max(120),
  facility: FacilityView,
  item: JobItemView,
  createdBy: z.string().max(120),
  createdAt: IsoTime,
  window: InstallWindow.nullable(),
  targets: z.array(TargetView).max(100),
});
export type JobView = z.infer<typeof JobView>;

export const LicenceView = z.object({
  id: Id,
  agentId: Id,
  deviceId: Id,
  deviceSerial: z.string().max(80),
  deviceModel: z.string().max(80),
  options: z.array(z.string().max(60)).max(20),
  expiresAt: IsoTime,
  issuedBy: z.string().max(120),
  issuedAt: IsoTime,
  jobId: Id,
  state: TargetState,
  detail: z.string().max(500).nullable(),
});
export type LicenceView = z.infer<typeof LicenceView>;

/** GET /api/software: everything the Software & licences tab shows. */
export const SoftwareOverview = z.object({
  packages: z.array(PackageView).max(1000),
  jobs: z.array(JobView).max(1000),
  licences: z.array(LicenceView).max(1000),
  agents: z.array(AgentView).max(1000),
  releaseKeyFingerprint: z.string().max(80),
});
export type SoftwareOverview = z.infer<typeof SoftwareOverview>;

/** POST /api/software/packages answer. The request body is the file; fields are in the query. */
export const UploadResponse = z.object({ package: PackageView });
export type UploadResponse = z.infer<typeof UploadResponse>;

/** The query fields of an upload, checked by the server. */
export const UploadFields = z.object({
  name: z.string().trim().min(1, 'Enter the package name.').max(120),
  version: z.string().trim().min(1, 'Enter the version.').max(40),
  kind: PackageKind,
  models: z.array(Model).min(1, 'Name at least one device model.').max(20),
  notes: z.string().max(2000, 'Release notes are limited to 2000 characters.'),
});
export type UploadFields = z.infer<typeof UploadFields>;

/** POST /api/software/jobs: deliver a package to chosen devices or to a whole facility. */
export const CreateJobsRequest = z.object({
  packageId: Id,
  target: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('devices'), agentId: Id, deviceIds: z.array(Id).min(1).max(100) }),
    z.object({ kind: z.literal('facility'), facilityId: Id }),
  ]),
});
export type CreateJobsRequest = z.infer<typeof CreateJobsRequest>;

export const CreateJobsResponse = z.object({ jobs: z.array(JobView).max(1000) });
export type CreateJobsResponse = z.infer<typeof CreateJobsResponse>;

/** POST /api/software/licences: issue a signed licence for one device and deliver it. */
export const IssueLicenceRequest = z.object({
  agentId: Id,
  deviceId: Id,
  options: z.array(LicenceOption).min(1, 'Name at least one option.').max(20),
  expiresAt: IsoTime,
});
export type IssueLicenceRequest = z.infer<typeof IssueLicenceRequest>;

export const IssueLicenceResponse = z.object({ licence: LicenceView, job: JobView });
export type IssueLicenceResponse = z.infer<typeof IssueLicenceResponse>;

// ---- Consent page ----------------------------------------------------------------------

/** One delivery as facility staff see it on the consent page. */
export const UpdateView = z.object({
  jobId: Id,
  kind: z.enum(['package', 'licence']),
  /** e.g. "CVSM firmware 2.50.00" or "Licence: ECG, SpO2 trend". */
  title: z.string().max(200),
  packageKind: PackageKind.nullable(),
  notes: z.string().max(2000),
  size: z.number().int().nullable(),
  technician: Person,
  offeredAt: IsoTime,
  /** Offered: staff have not answered; anything else is under way or done. */
  phase: z.enum(['offered', 'active', 'done']),
  window: InstallWindow.nullable(),
  devices: z
    .array(
      z.object({
        deviceId: Id,
        name: z.string().max(120),
        model: z.string().max(80),
        firmware: z.string().max(40).nullable(),
        state: TargetState,
        progress: z.number().min(0).max(1).nullable(),
        detail: z.string().max(500).nullable(),
      }),
    )
    .max(100),
});
export type UpdateView = z.infer<typeof UpdateView>;

/** Staff's answer to a delivery: install now, in a window, or not at all. */
export const UpdateDecision = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('now') }),
  z.object({ kind: z.literal('window'), window: InstallWindow }),
  z.object({ kind: z.literal('decline') }),
]);
export type UpdateDecision = z.infer<typeof UpdateDecision>;
