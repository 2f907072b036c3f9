import type { Generated } from 'kysely';
import type {
  DeviceEventsTable,
  FleetDevicesTable,
  HealthSamplesTable,
  ServiceReportsTable,
} from '../fleet/tables.ts';
import type {
  LicencesTable,
  SoftwareJobsTable,
  SoftwarePackagesTable,
  SoftwareTargetsTable,
} from '../software/tables.ts';

/**
 * Table shapes as Kysely sees them. Times are ISO-8601 strings and lists are JSON text, so
 * the same columns work on SQLite today and PostgreSQL later.
 */
export interface Database {
  users: UsersTable;
  web_sessions: WebSessionsTable;
  facilities: FacilitiesTable;
  enrolment_tokens: EnrolmentTokensTable;
  agents: AgentsTable;
  sessions: SessionsTable;
  audit: AuditTable;
  service_reports: ServiceReportsTable;
  fleet_devices: FleetDevicesTable;
  health_samples: HealthSamplesTable;
  device_events: DeviceEventsTable;
  software_packages: SoftwarePackagesTable;
  software_jobs: SoftwareJobsTable;
  software_targets: SoftwareTargetsTable;
  licences: LicencesTable;
  recovery_codes: RecoveryCodesTable;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  display_name: string;
  organisation: string;
  role: string;
  created_at: string;
  updated_at: string;
  /** Set while an administrator has disabled the account. */
  disabled_at: string | null;
  /** The TOTP secret, encrypted with the server's key (see auth/secret-box.ts). */
  totp_secret: string | null;
  /** A secret handed out for setup and not yet confirmed with a code, encrypted too. */
  totp_pending: string | null;
  totp_enabled_at: string | null;
  /** The last TOTP time step accepted, so that no code is accepted twice. */
  totp_last_step: number | null;
}

export interface RecoveryCodesTable {
  /** SHA-256 of the normalised code; the code itself is shown once and never kept. */
  code_hash: string;
  user_id: string;
  created_at: string;
  used_at: string | null;
}

export interface WebSessionsTable {
  /** SHA-256 of the random token; the token itself is only in the browser's cookie. */
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface FacilitiesTable {
  id: string;
  name: string;
  created_at: string;
}

export interface EnrolmentTokensTable {
  token_hash: string;
  facility_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
}

export interface AgentsTable {
  id: string;
  /** Base64 of the raw 32-byte Ed25519 public key. */
  public_key: string;
  facility_id: string;
  name: string;
  enrolled_at: string;
  last_seen: string | null;
  /** Set when an administrator revoked the agent: its key is refused from then on. */
  revoked_at: string | null;
  revoked_by: string | null;
}

export interface SessionsTable {
  id: string;
  agent_id: string;
  technician_id: string;
  state: string;
  end_reason: string | null;
  end_detail: string | null;
  reason: string;
  /** JSON array of capability names. */
  requested: string;
  /** JSON array of capability names. */
  granted: string;
  created_at: string;
  updated_at: string;
}

export interface AuditTable {
  id: Generated<number>;
  at: string;
  session_id: string | null;
  actor: string;
  action: string;
  /** Canonical JSON text. */
  detail: string;
  prev_hash: string;
  hash: string;
}
