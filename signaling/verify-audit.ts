import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuditLedger } from './audit/ledger.ts';
import { createLogger } from './log.ts';
import { openDatabase } from './storage/database.ts';

/**
 * Checks the server's audit hash chain: `npx tsx signaling/verify-audit.ts [dataDir]`
 * (default TETHER_DATA_DIR or ./data). Prints the outcome; exits 1 if the chain is broken.
 */
async function main(): Promise<void> {
  const dataDir = resolve(process.argv[2] ?? process.env.TETHER_DATA_DIR ?? './data');
  if (!existsSync(join(dataDir, 'tether.db'))) {
    console.error(`No database at ${join(dataDir, 'tether.db')}.`);
    process.exit(2);
  }

  const db = await openDatabase(dataDir, createLogger('warn'));
  const check = await new AuditLedger(db).verify();
  await db.destroy();

  if (check.ok) {
    console.log(`Audit chain intact: ${check.count} records.`);
    return;
  }
  console.error(
    `Audit chain broken at record ${check.brokenAt} (${check.problem}); ${check.count} records before it hold.`,
  );
  process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
