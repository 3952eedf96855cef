// The fixture repos served as a vault-style HTTP mirror, reached through --mirror.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/fetch/index.js';
import { loadRepo } from '../../src/metadata/index.js';
import { applyRepoOptions, loadDistro } from '../../src/repos/index.js';
import { fixturesAvailable, startMirror, type Mirror } from '../helpers/fixtures.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`skipping mirror tests: ${avail.reason}`);

describe.skipIf(!avail.ok)('fixture repos through --mirror', () => {
  let mirror: Mirror;
  let cache: string;
  let f: Fetcher;
  beforeAll(async () => {
    mirror = await startMirror();
    cache = mkdtempSync(join(tmpdir(), 'rfs-mirror-'));
    // loadFilelists() fetches later, so the fetcher lives as long as the loaded repos.
    f = new Fetcher({ cacheDir: cache, retries: 0 });
  });
  afterAll(async () => { await f.close(); await mirror.close(); rmSync(cache, { recursive: true, force: true }); });

  const loadAll = async (tag: string) => {
    const distro = loadDistro(tag);
    const repos = applyRepoOptions(distro, { mirror: mirror.url });
    return { distro, loaded: await Promise.all(repos.map((r) => loadRepo(r, f, { arch: distro.arch, cacheDir: cache }))) };
  };

  it('centos:4.9 reads the os repo only, and it offers the default package set', async () => {
    const { distro, loaded } = await loadAll('centos:4.9');
    expect(loaded.map((r) => r.config.id)).toEqual(['base']);
    expect(loaded[0]!.baseUrls).toEqual([`${mirror.url}4.9/os/x86_64/`]);
    const names = new Set(loaded[0]!.packages.map((p) => p.name));
    for (const n of distro.packages) expect(names, n).toContain(n);
    expect(loaded[0]!.packages.every((p) => p.checksum.type === 'sha1')).toBe(true);
    expect(mirror.requests.some((r) => r.startsWith('/4.9/updates/'))).toBe(false);
  });

  it('centos:4 adds updates; a second load needs only repomd.xml', async () => {
    const { loaded } = await loadAll('centos:4');
    expect(loaded.map((r) => r.config.id)).toEqual(['base', 'updates']);
    expect(loaded[1]!.packages.map((p) => p.name)).toContain('tzdata');
    mirror.requests.length = 0;
    await loadAll('centos:4');
    expect(mirror.requests.sort()).toEqual(['/4.9/os/x86_64/repodata/repomd.xml', '/4.9/updates/x86_64/repodata/repomd.xml']);
  });

  it('centos:7.9.2009 and centos:7 load the EL7 trees', async () => {
    const point = await loadAll('centos:7.9.2009');
    expect(point.loaded.map((r) => r.baseUrls[0])).toEqual([`${mirror.url}7.9.2009/os/x86_64/`]);
    const names = new Set(point.loaded[0]!.packages.map((p) => p.name));
    for (const n of point.distro.packages) expect(names, n).toContain(n);
    const major = await loadAll('centos:7');
    expect(major.loaded.map((r) => r.config.id)).toEqual(['base', 'updates']);
  });

  it('filelists come over HTTP on demand', async () => {
    const { loaded } = await loadAll('centos:4.9');
    const before = mirror.requests.filter((r) => r.includes('filelists')).length;
    const files = await loaded[0]!.loadFilelists();
    expect(mirror.requests.filter((r) => r.includes('filelists')).length).toBe(before + 1);
    const bash = loaded[0]!.packages.findIndex((p) => p.name === 'bash');
    expect(files[bash]).toContain('/bin/bash');
  });
});
