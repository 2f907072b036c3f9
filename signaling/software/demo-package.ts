import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { UserView } from '../../shared/protocol/views.ts';
import type { PackageStore } from './package-store.ts';

const DEMO_UPLOADER: UserView = {
  id: 'system',
  username: 'system',
  displayName: 'Tether demo',
  organisation: 'Tether Device Service',
  role: 'admin',
};

/**
 * Stores one signed firmware package for the Demo Facility's CVSM 6400 monitors when no
 * package exists yet, so the Software & licences tab has something to deliver on a first
 * start. The image is 1.5 MiB of deterministic filler; the simulated devices accept it.
 */
export async function seedDemoPackage(packages: PackageStore): Promise<void> {
  if ((await packages.list()).length > 0) return;

  const bytes = Buffer.alloc(1536 * 1024);
  for (let i = 0; i < bytes.length; i += 32) {
    createHash('sha256').update(String(i)).digest().copy(bytes, i);
  }
  const { id, uploadPath } = packages.reserve();
  writeFileSync(uploadPath, bytes, { mode: 0o600 });
  const sha256 = createHash('sha256').update(bytes).digest('hex');

  await packages.add(
    id,
    { path: uploadPath, size: bytes.length, sha256 },
    {
      name: 'CVSM firmware',
      version: '2.50.00',
      kind: 'firmware',
      models: ['CVSM 6400'],
      notes: 'NIBP: fewer re-inflations on small cuffs. SpO2: faster recovery after probe-off.',
    },
    DEMO_UPLOADER,
  );
}
