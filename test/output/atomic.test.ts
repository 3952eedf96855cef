// On any failure nothing is left at the output path (and no temp files beside it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sidecarPath, writeOutput } from '../../src/assemble/output/index.js';
import type { OutputFormat } from '../../src/assemble/output/index.js';
import { writeLayoutArchive } from '../../src/assemble/output/archive.js';
import type { TarEntry } from '../../src/tar/index.js';
import { BUSYBOX, CONFIG, busyboxEntries } from './rootfs.js';

if (BUSYBOX === null) console.warn('SKIP: busybox-static not installed; atomicity tests skipped');
const work = mkdtempSync(join(tmpdir(), 'rfs-atomic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** the busybox entries, with a body that fails or aborts after `after` chunks of 4 KiB */
function sabotaged(mode: 'abort' | 'throw', ac: AbortController, after = 3): () => AsyncIterable<TarEntry> {
  return async function* () {
    for (const e of busyboxEntries()) {
      if (e.path !== '/bin/busybox') { yield e; continue; }
      yield {
        ...e,
        body: async function* () {
          for (let i = 0; ; i++) {
            if (i === after) {
              if (mode === 'abort') ac.abort(new Error('Ctrl-C'));
              else throw new Error('EIO: package file vanished');
            }
            yield new Uint8Array(4096);
          }
        },
      };
    }
  };
}

const FORMATS: [OutputFormat, string][] = [
  ['tar', 'x.tar'], ['tar', 'x.tar.gz'], ['tar', 'x.tar.zst'], ['oci-archive', 'x.oci.tar'], ['oci', 'x-oci'],
  ['docker-archive', 'x.docker.tar'], ['dir', 'x-dir'],
];

function leftovers(dir: string): string[] {
  return readdirSync(dir);
}

describe.skipIf(BUSYBOX === null)('atomic outputs', () => {
  it.each(FORMATS)('%s (%s): abort mid-write leaves nothing', async (format, name) => {
    const dir = mkdtempSync(join(work, 'abort-'));
    const spool = mkdtempSync(join(work, 'spool-'));
    const ac = new AbortController();
    await expect(writeOutput(sabotaged('abort', ac), { format, path: join(dir, name), config: CONFIG, tmpDir: spool, signal: ac.signal }))
      .rejects.toMatchObject({ code: 'RFS_ABORTED' });
    expect(leftovers(dir)).toEqual([]);
    expect(leftovers(spool)).toEqual([]);
  });

  it.each(FORMATS)('%s (%s): a failing source leaves nothing and names the path', async (format, name) => {
    const dir = mkdtempSync(join(work, 'fail-'));
    const ac = new AbortController();
    const err = await writeOutput(sabotaged('throw', ac), { format, path: join(dir, name), config: CONFIG, tmpDir: work }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'RFS_OUTPUT', subject: join(dir, name), message: expect.stringContaining('EIO') });
    expect(leftovers(dir)).toEqual([]);
  });

  it('a failure keeps a previous file at the path untouched', async () => {
    const path = join(work, 'keep.tar');
    writeFileSync(path, 'previous build');
    await expect(writeOutput(sabotaged('throw', new AbortController()), { format: 'tar', path, config: CONFIG, tmpDir: work })).rejects.toThrow();
    expect(readFileSync(path, 'utf8')).toBe('previous build');
  });

  it('a blob that cannot be read while writing the archive leaves nothing', async () => {
    const path = join(work, 'blob-fail.tar');
    await expect(writeLayoutArchive(path, [{ path: 'blobs/sha256/x', file: join(work, 'missing'), size: 10 }], 0)).rejects.toThrow();
    expect(existsSync(path)).toBe(false);
  });

  const root = process.getuid?.() === 0;
  const mnt = join(work, 'tiny');
  mkdirSync(mnt);
  const mounted = root && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt]).status === 0;
  if (!mounted) console.warn('SKIP: cannot mount a tiny tmpfs (needs root); disk-full tests skipped, failing-stream tests above cover the path');
  afterAll(() => { if (mounted) spawnSync('umount', [mnt]); });

  it.skipIf(!mounted).each([['tar', 'full.tar'], ['oci-archive', 'full.oci.tar'], ['dir', 'full-dir']] as const)(
    'disk full on a 512 KiB tmpfs (%s): RFS_OUTPUT, nothing left', async (format, name) => {
      const err = await writeOutput(async function* () { yield* busyboxEntries(); }, { format, path: join(mnt, name), config: CONFIG, tmpDir: mnt }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'RFS_OUTPUT', message: expect.stringMatching(/ENOSPC|no space/i) });
      expect(leftovers(mnt)).toEqual([]);
      expect(existsSync(sidecarPath(join(mnt, name)))).toBe(false);
    });
});
