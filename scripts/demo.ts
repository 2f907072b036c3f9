import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SignalingServer } from '../signaling/server.ts';
import { seedDemoPackage } from '../signaling/software/demo-package.ts';

export const DEMO_FACILITY = 'Demo Facility';
export const DEMO_AGENT_NAME = 'Demo Facility service computer';
export const DEMO_USER = {
  username: 'demo-tech',
  displayName: 'Demo Technician',
  organisation: 'Tether Device Service',
  role: 'technician',
} as const;
/** The demo administrator: uploads packages; same password as the demo technician. */
export const DEMO_ADMIN = {
  username: 'demo-admin',
  displayName: 'Demo Administrator',
  organisation: 'Tether Device Service',
  role: 'admin',
} as const;

/**
 * The demo technician's password: TETHER_DEMO_PASSWORD when set, else the one kept in
 * the data folder, else a new random one written there (mode 0600) for the next start.
 */
export function demoPassword(dataDir: string, fromEnv = process.env.TETHER_DEMO_PASSWORD): string {
  if (fromEnv) return fromEnv;

  const file = join(dataDir, 'demo-password.txt');
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  }
  const made = randomBytes(12).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${made}\n`, { mode: 0o600 });

  return made;
}

/**
 * Makes sure the demo facility and technician exist and returns a short-lived enrolment
 * token for the demo agent. The agent uses it only if it is not enrolled yet.
 */
export async function seedDemo(server: SignalingServer, password: string): Promise<string> {
  const facility = await server.admin.ensureFacility(DEMO_FACILITY);
  await server.admin.ensureUser({ ...DEMO_USER, password });
  await server.admin.ensureUser({ ...DEMO_ADMIN, password });
  await seedDemoPackage(server.packages);

  return server.admin.createEnrolmentToken(facility.id, 10 * 60_000);
}
