import {
  appendFileSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { DropFolder } from './drop-folder.ts';
import { LogHub } from './hub.ts';

const folders: DropFolder[] = [];

afterEach(async () => {
  await Promise.all(folders.splice(0).map((f) => f.stop()));
});

/** A drop folder that polls only when the test says so, so every step is deterministic. */
async function follow(dir: string, initialLines = 200) {
  const hub = new LogHub();
  const folder = new DropFolder({ dir, hub, log: silentLogger(), pollMs: 60_000, initialLines });
  folders.push(folder);
  await folder.start();
  const texts = (source?: string) =>
    hub
      .recent(5000)
      .filter((l) => source === undefined || l.source === source)
      .map((l) => l.text);

  return { hub, folder, texts };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dropbox-'));
}

describe('DropFolder', () => {
  it('publishes the last lines of files already there, then follows appends', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'pump.log'), 'one\ntwo\nthree\nfour\n');
    const { folder, texts, hub } = await follow(dir, 2);

    expect(texts()).toEqual(['three', 'four']);
    expect(hub.sources()).toEqual([
      { id: 'file:pump.log', label: 'pump.log', kind: 'file', deviceId: null },
    ]);

    appendFileSync(join(dir, 'pump.log'), 'ERROR E-4410 occlusion');
    await folder.scan();
    expect(texts()).toEqual(['three', 'four']);

    appendFileSync(join(dir, 'pump.log'), ' sensor fault\nfive\n');
    await folder.scan();
    expect(texts()).toEqual(['three', 'four', 'ERROR E-4410 occlusion sensor fault', 'five']);
    expect(hub.recent(2)[0]).toMatchObject({ severity: 'error', code: 'E-4410' });
  });

  it('follows rotation by rename without sending old lines twice', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'app.log'), 'a1\n');
    const { folder, texts } = await follow(dir);

    appendFileSync(join(dir, 'app.log'), 'a2\n');
    renameSync(join(dir, 'app.log'), join(dir, 'app.log.1'));
    writeFileSync(join(dir, 'app.log'), 'b1\n');
    await folder.scan();

    expect(texts('file:app.log')).toEqual(['a1', 'b1']);
    expect(texts('file:app.log.1')).toEqual(['a2']);

    appendFileSync(join(dir, 'app.log.1'), 'a3\n');
    appendFileSync(join(dir, 'app.log'), 'b2\n');
    await folder.scan();
    expect(texts('file:app.log.1')).toEqual(['a2', 'a3']);
    expect(texts('file:app.log')).toEqual(['a1', 'b1', 'b2']);
  });

  it('reads a truncated file again from its start', async () => {
    const dir = tempDir();
    const file = join(dir, 'app.log');
    writeFileSync(file, 'old line one\nold line two\n');
    const { folder, texts } = await follow(dir);

    truncateSync(file, 0);
    appendFileSync(file, 'new\n');
    await folder.scan();

    expect(texts()).toEqual(['old line one', 'old line two', 'new']);
  });

  it('adds new files as sources, reads them whole, and drops removed ones', async () => {
    const dir = tempDir();
    const { folder, texts, hub } = await follow(dir);

    writeFileSync(join(dir, 'new.log'), 'first\nsecond\n');
    writeFileSync(join(dir, '.hidden.swp'), 'ignored\n');
    await folder.scan();
    expect(texts()).toEqual(['first', 'second']);
    expect(hub.sources().map((s) => s.id)).toEqual(['file:new.log']);

    rmSync(join(dir, 'new.log'));
    await folder.scan();
    expect(hub.sources()).toEqual([]);
  });

  it('keeps the text of binary junk and skips lines with nothing printable', async () => {
    const dir = tempDir();
    const { folder, texts } = await follow(dir);

    writeFileSync(
      join(dir, 'dump.bin'),
      Buffer.concat([Buffer.from([0, 1, 2, 0xff, 10]), Buffer.from('WARN fan\x00 slow\n')]),
    );
    await folder.scan();

    expect(texts()).toEqual(['WARN fan slow']);
  });
});
