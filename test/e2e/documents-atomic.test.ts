// --lockfile and --sbom appear together with the image or not at all: they are staged under
// temp names and renamed only after the image is in place. Abort, a corrupt package and a full
// disk leave neither the image nor the documents (nor temp files) behind.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { assemble } from '../../src/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { isRoot, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e documents] skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)('image, lockfile and SBOM are all-or-nothing', () => {
  const env = useFixtureMirror('rfs-docs-');
  const outputs = (d: string): { path: string; lockfile: string; sbom: string } =>
    ({ path: join(d, 'img.tar'), lockfile: join(d, 'img.lock.json'), sbom: join(d, 'img.spdx.json') });
  const build = (d: string, extra: { signal?: AbortSignal; onEvent?: (e: AssembleEvent) => void; cacheDir?: string } = {}): Promise<unknown> => {
    const o = outputs(d);
    return assemble({
      distro: 'centos:4.9', gpgkeys: [FIXTURE_KEY], mirror: env.mirror.url, output: { path: o.path }, lockfile: o.lockfile, sbom: o.sbom,
      cacheDir: extra.cacheDir ?? join(env.dir, 'cache'), sourceDateEpoch: 1234567890,
      ...(extra.signal ? { signal: extra.signal } : {}), ...(extra.onEvent ? { onEvent: extra.onEvent } : {}),
    }).then(() => null, (e: unknown) => e);
  };

  it('on success all three appear, and no temp file is left', async () => {
    const d = mkdtempSync(join(env.dir, 'ok-'));
    expect(await build(d)).toBeNull();
    expect(readdirSync(d).sort()).toEqual(['img.lock.json', 'img.spdx.json', 'img.tar']);
  }, 300_000);

  it('an abort before or during the image write leaves none of them', async () => {
    for (const at of ['rpmdb', 'write', 'mid-write'] as const) {
      const d = mkdtempSync(join(env.dir, `abort-${at}-`));
      const ac = new AbortController();
      let started = false;
      const err = await build(d, {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.kind === 'phase:start' && e.phase === at) ac.abort();
          if (at === 'mid-write' && e.kind === 'phase:start' && e.phase === 'write') started = true;
          // the documents are staged before the write phase: abort once the image is being written
          if (at === 'mid-write' && started && !ac.signal.aborted) setImmediate(() => ac.abort());
        },
      });
      expect(err, at).toMatchObject({ code: 'RFS_ABORTED' });
      expect(readdirSync(d), at).toEqual([]);
    }
  }, 300_000);

  it('a corrupt package leaves none of them', async () => {
    const d = mkdtempSync(join(env.dir, 'corrupt-'));
    env.mirror.fault(/bash-3\.0-21\.el4\.x86_64\.rpm$/, 'corrupt', 100);
    try {
      const err = await build(d, { cacheDir: join(env.dir, 'cache-corrupt') });
      expect(err).toMatchObject({ code: 'RFS_CHECKSUM_MISMATCH' });
    } finally {
      env.mirror.clearFaults();
    }
    expect(readdirSync(d)).toEqual([]);
  }, 300_000);

  it('a document that cannot be written (its directory is a file) fails the build before the image appears', async () => {
    const d = mkdtempSync(join(env.dir, 'baddoc-'));
    writeFileSync(join(d, 'not-a-dir'), '');
    const o = outputs(d);
    const err = await assemble({
      distro: 'centos:4.9', gpgkeys: [FIXTURE_KEY], mirror: env.mirror.url, output: { path: o.path }, lockfile: o.lockfile, sbom: join(d, 'not-a-dir', 'x.spdx.json'),
      cacheDir: join(env.dir, 'cache'), sourceDateEpoch: 1234567890,
    }).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'RFS_OUTPUT', subject: join(d, 'not-a-dir', 'x.spdx.json') });
    expect(readdirSync(d)).toEqual(['not-a-dir']);
  }, 300_000);

  const mnt = join(tmpdir(), `rfs-docs-full-${process.pid}`);
  mkdirSync(mnt, { recursive: true });
  // 2 MiB: room for the staged documents, not for the image
  const mounted = isRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]).status === 0;
  if (!mounted) console.warn('[e2e documents] disk-full case skipped: cannot mount a small tmpfs (needs root)');
  afterAll(() => {
    if (mounted) spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('a full disk leaves none of them', async () => {
    const err = await build(mnt);
    expect(err).toMatchObject({ code: 'RFS_OUTPUT', message: expect.stringMatching(/ENOSPC|no space/i) });
    expect(readdirSync(mnt)).toEqual([]);
    expect(existsSync(outputs(mnt).lockfile)).toBe(false);
  }, 300_000);

  it.skipIf(!mounted)('an SBOM on a full disk next to an image elsewhere: neither appears', async () => {
    const filler = join(mnt, 'filler');
    spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k', 'count=64']); // fills the 2 MiB
    try {
      const d = mkdtempSync(join(env.dir, 'fullsbom-'));
      const o = outputs(d);
      const err = await assemble({
        distro: 'centos:4.9', gpgkeys: [FIXTURE_KEY], mirror: env.mirror.url, output: { path: o.path }, lockfile: o.lockfile, sbom: join(mnt, 'x.spdx.json'),
        cacheDir: join(env.dir, 'cache'), sourceDateEpoch: 1234567890,
      }).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'RFS_OUTPUT', message: expect.stringMatching(/ENOSPC|no space/i) });
      expect(readdirSync(d)).toEqual([]);
      expect(readdirSync(mnt)).toEqual(['filler']);
    } finally {
      rmSync(filler, { force: true });
    }
  }, 300_000);
});
