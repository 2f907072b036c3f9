import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it: parent, command name and CPU time used so far. */
interface ProcEntry {
  ppid: number;
  comm: string;
  /** User plus system time, in clock ticks. */
  ticks: number;
}

export type ProcSnapshot = Map<number, ProcEntry>;

/** Clock ticks per second, the unit of /proc/<pid>/stat times. */
export const CLOCK_TICKS = readClockTicks();

function readClockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/** Every process on the machine, read from /proc in one pass. */
export function snapshotProcesses(): ProcSnapshot {
  const snapshot: ProcSnapshot = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;

    const entry = readStat(Number(name));
    if (entry) snapshot.set(Number(name), entry);
  }

  return snapshot;
}

function readStat(pid: number): ProcEntry | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name is in parentheses and may itself contain spaces or parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');

  return {
    comm: text.slice(open + 1, close),
    ppid: Number(fields[1]),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

/** `root` and every process below it. */
export function descendants(snapshot: ProcSnapshot, root: number): Set<number> {
  const found = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, entry] of snapshot) {
      if (!found.has(pid) && found.has(entry.ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }

  return found;
}

/**
 * CPU used by a group of processes between two snapshots, in % of one core. A process
 * that appeared in between counts from zero; one that ended in between is lost, which for
 * short helper processes is a small underestimate.
 */
export function cpuPercent(
  before: ProcSnapshot,
  after: ProcSnapshot,
  pids: Iterable<number>,
  seconds: number,
): number {
  let ticks = 0;
  for (const pid of pids) {
    const end = after.get(pid);
    if (!end) continue;

    const start = before.get(pid);
    ticks += end.ticks - (start && start.comm === end.comm ? start.ticks : 0);
  }

  return (ticks / CLOCK_TICKS / seconds) * 100;
}
