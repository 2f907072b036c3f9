import { mkdirSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import {
  manifestPayload,
  PackageManifest,
  type PackageView,
  type UploadFields,
} from '../../shared/software.ts';
import type { UserView } from '../../shared/protocol/views.ts';
import { compareVersions } from '../../shared/versions.ts';
import type { Db } from '../storage/database.ts';
import { newId, nowIso } from '../util.ts';
import type { ReleaseKey } from './release-key.ts';
import type { SoftwarePackagesTable } from './tables.ts';
import type { ReceivedFile } from './upload.ts';

/** A stored package with what an offer needs: the signed manifest. */
export interface StoredPackage {
  view: PackageView;
  manifest: PackageManifest;
  signature: string;
}

/**
 * Uploaded packages: the bytes under `<dataDir>/packages/<id>.bin`, the signed manifest
 * and its facts in the database. Also answers "latest firmware for a model" for the
 * fleet dashboard (`latest`).
 */
export class PackageStore {
  readonly #db: Db;
  readonly #dir: string;
  readonly #key: ReleaseKey;

  constructor(db: Db, dataDir: string, key: ReleaseKey) {
    this.#db = db;
    this.#dir = join(dataDir, 'packages');
    this.#key = key;
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
  }

  /** A fresh ID and the path its upload streams into before it is complete. */
  reserve(): { id: string; uploadPath: string } {
    const id = newId('pkg');
    return { id, uploadPath: join(this.#dir, `.${id}.part`) };
  }

  /** Where the complete bytes of package `id` are kept. */
  filePath(id: string): string {
    return join(this.#dir, `${id}.bin`);
  }

  /** Signs the manifest of a complete upload, moves the file in place and records it. */
  async add(
    id: string,
    file: ReceivedFile,
    fields: UploadFields,
    by: UserView,
  ): Promise<PackageView> {
    const manifest: PackageManifest = {
      packageId: id,
      name: fields.name,
      version: fields.version,
      kind: fields.kind,
      models: fields.models,
      size: file.size,
      sha256: file.sha256,
      notes: fields.notes,
      createdAt: nowIso(),
    };
    const signature = this.#key.sign(manifestPayload(manifest));

    await rename(file.path, this.filePath(id));
    const row: SoftwarePackagesTable = {
      id,
      name: manifest.name,
      version: manifest.version,
      kind: manifest.kind,
      models: JSON.stringify(manifest.models),
      size: manifest.size,
      sha256: manifest.sha256,
      notes: manifest.notes,
      manifest: JSON.stringify(manifest),
      signature,
      key_fingerprint: this.#key.fingerprint,
      uploaded_by: by.id,
      uploaded_by_name: by.displayName,
      uploaded_at: manifest.createdAt,
    };
    await this.#db.insertInto('software_packages').values(row).execute();

    return toView(row);
  }

  async list(): Promise<PackageView[]> {
    const rows = await this.#db
      .selectFrom('software_packages')
      .selectAll()
      .orderBy('uploaded_at', 'desc')
      .execute();
    return rows.map(toView);
  }

  async get(id: string): Promise<StoredPackage | undefined> {
    const row = await this.#db
      .selectFrom('software_packages')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;

    const manifest = PackageManifest.parse(JSON.parse(row.manifest));
    return { view: toView(row), manifest, signature: row.signature };
  }

  /** The highest firmware version uploaded for `model`, or null when there is none. */
  async latest(model: string): Promise<string | null> {
    const rows = await this.#db
      .selectFrom('software_packages')
      .select(['version', 'models'])
      .where('kind', '=', 'firmware')
      .execute();
    const versions = rows
      .filter((row) => (JSON.parse(row.models) as string[]).includes(model))
      .map((row) => row.version);

    return versions.sort(compareVersions).at(-1) ?? null;
  }
}

function toView(row: SoftwarePackagesTable): PackageView {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    kind: row.kind as PackageView['kind'],
    models: JSON.parse(row.models) as string[],
    size: Number(row.size),
    sha256: row.sha256,
    notes: row.notes,
    keyFingerprint: row.key_fingerprint,
    uploadedBy: row.uploaded_by_name,
    uploadedAt: row.uploaded_at,
  };
}
