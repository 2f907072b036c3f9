import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isTerminal, SoftwareOffer, TargetState, UpdateDecision } from '../../shared/software.ts';
import type { Logger } from '../log.ts';

/** Where one device stands, as the agent keeps it. */
export const LocalTarget = z.object({
  state: TargetState,
  progress: z.number().nullable(),
  detail: z.string().nullable(),
  firmware: z.string().nullable(),
});
export type LocalTarget = z.infer<typeof LocalTarget>;

/** One delivery as the agent keeps it across restarts. */
export const LocalJob = z.object({
  offer: SoftwareOffer,
  decision: UpdateDecision.nullable(),
  /** Job-wide step (download, verification) while one runs; null otherwise. */
  shared: LocalTarget.nullable(),
  targets: z.record(z.string(), LocalTarget),
  updatedAt: z.string(),
});
export type LocalJob = z.infer<typeof LocalJob>;

/** Finished jobs kept for the consent page's history. */
const KEEP_FINISHED = 20;

/**
 * The agent's deliveries in `<dataDir>/software/jobs.json`, written whole and atomically
 * after every change, with staging files beside it in `staging/`. An unreadable file is
 * set aside (`jobs.json.bad`) rather than stopping the agent: the server offers every
 * unfinished job again when the agent connects.
 */
export class LocalJobs {
  readonly #file: string;
  readonly stagingDir: string;
  readonly #jobs = new Map<string, LocalJob>();

  constructor(dataDir: string, log: Logger) {
    const dir = join(dataDir, 'software');
    this.#file = join(dir, 'jobs.json');
    this.stagingDir = join(dir, 'staging');
    mkdirSync(this.stagingDir, { recursive: true, mode: 0o700 });

    if (!existsSync(this.#file)) return;
    const parsed = z.array(LocalJob).safeParse(safeJson(readFileSync(this.#file, 'utf8')));
    if (!parsed.success) {
      log.warn({ file: this.#file }, 'software jobs file unreadable; set aside');
      renameSync(this.#file, `${this.#file}.bad`);
      return;
    }
    for (const job of parsed.data) this.#jobs.set(job.offer.jobId, job);
  }

  get(jobId: string): LocalJob | undefined {
    return this.#jobs.get(jobId);
  }

  all(): LocalJob[] {
    return [...this.#jobs.values()];
  }

  /** The staging file a package downloads into, and the verified image it becomes. */
  paths(jobId: string): { part: string; image: string } {
    return {
      part: join(this.stagingDir, `${jobId}.part`),
      image: join(this.stagingDir, `${jobId}.img`),
    };
  }

  /** Stores a job (new or changed) and writes the file. */
  save(job: LocalJob): void {
    job.updatedAt = new Date().toISOString();
    this.#jobs.set(job.offer.jobId, job);
    this.#prune();
    const temporary = `${this.#file}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.all()), { mode: 0o600 });
    renameSync(temporary, this.#file);
  }

  #prune(): void {
    const finished = this.all()
      .filter((job) => Object.values(job.targets).every((t) => isTerminal(t.state)))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    for (const job of finished.slice(KEEP_FINISHED)) this.#jobs.delete(job.offer.jobId);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
