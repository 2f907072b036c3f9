/**
 * Table shapes of software delivery, as Kysely sees them (listed in `storage/schema.ts`).
 * Times are ISO-8601 strings and lists JSON text, as everywhere else.
 */

/** An uploaded package: its bytes are `<dataDir>/packages/<id>.bin`. */
export interface SoftwarePackagesTable {
  id: string;
  name: string;
  version: string;
  kind: string;
  /** JSON array of device models. */
  models: string;
  size: number;
  sha256: string;
  notes: string;
  /** The signed manifest, as JSON text. */
  manifest: string;
  /** Base64 Ed25519 signature of the manifest payload. */
  signature: string;
  key_fingerprint: string;
  uploaded_by: string;
  uploaded_by_name: string;
  uploaded_at: string;
}

/** One delivery (a package or a licence) to one agent. */
export interface SoftwareJobsTable {
  id: string;
  agent_id: string;
  item_kind: string;
  package_id: string | null;
  licence_id: string | null;
  created_by: string;
  /** JSON of the Person shown to staff. */
  created_by_person: string;
  created_at: string;
  /** JSON `{ start, end }` when staff chose an install window. */
  install_window: string | null;
}

/** Where one device stands in one job. */
export interface SoftwareTargetsTable {
  job_id: string;
  device_id: string;
  device_name: string;
  state: string;
  progress: number | null;
  detail: string | null;
  firmware: string | null;
  updated_at: string;
}

/** A signed licence for one device. */
export interface LicencesTable {
  id: string;
  agent_id: string;
  device_id: string;
  /** The signed licence body, as JSON text. */
  body: string;
  signature: string;
  issued_by_name: string;
}
