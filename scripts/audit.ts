import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { IDENTITY_FILE, loadOrCreateIdentity } from '../agent-bridge/identity.ts';
import { LEDGER_FILE } from '../agent-bridge/audit/ledger.ts';
import { verifyLedger } from '../agent-bridge/audit/verify.ts';
import { silentLogger } from '../agent-bridge/log.ts';
import { AuditLedger } from '../signaling/audit/ledger.ts';
import { createLogger } from '../signaling/log.ts';
import { loadReleaseKey, releaseKeyFile } from '../signaling/software/release-key.ts';
import { DATABASE_FILE, openDatabase } from '../signaling/storage/database.ts';

/**
 * `npm run audit -- verify [path]`: checks audit ledgers and names the first broken record.
 * `path` is a server data folder (holding tether.db), an agent data folder (holding
 * audit.jsonl), or either file; by default TETHER_DATA_DIR or ./data, where `npm start`
 * keeps the server's ledger and, under agent/, the demo facility's. Exit 0 when every
 * ledger found holds, 1 when one is broken, 2 when there is nothing to check.
 */
async function main(): Promise<number> {
  const [command, target] = process.argv.slice(2);
  if (command !== 'verify') {
    console.error('Usage: npm run audit -- verify [data folder | tether.db | audit.jsonl]');
    return 2;
  }

  const path = resolve(target ?? process.env.TETHER_DATA_DIR ?? './data');
  const { servers, facilities } = ledgersAt(path);
  if (servers.length + facilities.length === 0) {
    console.error(`No audit ledger at ${path} (looked for ${DATABASE_FILE} and ${LEDGER_FILE}).`);
    return 2;
  }

  let broken = false;
  for (const dataDir of servers) broken = !(await checkServer(dataDir)) || broken;
  for (const file of facilities) broken = !(await checkFacility(file)) || broken;
  return broken ? 1 : 0;
}

/** The server data folders and facility ledger files at `path`. */
function ledgersAt(path: string): { servers: string[]; facilities: string[] } {
  if (!existsSync(path)) return { servers: [], facilities: [] };
  if (!statSync(path).isDirectory()) {
    if (basename(path).endsWith('.jsonl')) return { servers: [], facilities: [path] };
    return { servers: [dirname(path)], facilities: [] };
  }

  const servers = existsSync(join(path, DATABASE_FILE)) ? [path] : [];
  const facilities = [join(path, LEDGER_FILE), join(path, 'agent', LEDGER_FILE)].filter((file) =>
    existsSync(file),
  );
  return { servers, facilities };
}

async function checkServer(dataDir: string): Promise<boolean> {
  const where = join(dataDir, DATABASE_FILE);
  const hasKey = existsSync(releaseKeyFile(dataDir));
  const key = hasKey ? loadReleaseKey(dataDir).publicKeyBase64 : undefined;
  const db = await openDatabase(dataDir, createLogger('warn'));
  try {
    const check = await new AuditLedger(db).verify(key);
    if (check.ok) {
      console.log(
        `Server ledger ${where}: intact, ${check.count} records, ${check.checkpoints} signed checkpoints` +
          (key ? '.' : ' (no server key here to check them against).'),
      );
      return true;
    }
    console.error(
      `Server ledger ${where}: broken at record ${check.brokenAt}: ${check.problem}. ` +
        `The ${check.count} records before it hold.`,
    );
    return false;
  } finally {
    await db.destroy();
  }
}

async function checkFacility(file: string): Promise<boolean> {
  const dir = dirname(file);
  const key = existsSync(join(dir, IDENTITY_FILE))
    ? (await loadOrCreateIdentity(dir, silentLogger())).publicKeyBase64
    : undefined;
  const check = await verifyLedger(file, key);
  if (check.ok) {
    const tail = check.unsignedAtEnd > 0 ? `; the last ${check.unsignedAtEnd} not yet signed` : '';
    console.log(
      `Facility ledger ${file}: intact, ${check.events} events, ${check.checkpoints} signed checkpoints${tail}.`,
    );
    return true;
  }
  const seq = check.seq === null ? '' : ` (record ${check.seq})`;
  console.error(`Facility ledger ${file}: broken at line ${check.line}${seq}: ${check.problem}.`);
  return false;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
