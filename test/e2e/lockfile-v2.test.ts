// Lockfile v2 through the CLI: what the lock was made for is recorded, deterministically, and
// --locked refuses another distro/arch/request before asking the mirror for anything.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { BIN, run, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e lockfile-v2] skipped: ${avail.reason}`);
const KEY = ['--gpgkey', FIXTURE_KEY];

interface LockDoc {
  lockfileVersion: number;
  distro: { ref: string; tag: string; id: string; release: string; releasever: string } | null;
  arch: string;
  request: { packages: string[]; exclude: string[]; profiles: string[]; noDefaultPackages: boolean; weakDeps: boolean };
  repos: { id: string; baseurl: string; repomd: { checksum: { type: string; value: string }; revision: string }; primary: { checksum: { type: string; value: string } } }[];
  packages: { name: string; signature?: unknown }[];
}

describe.skipIf(!avail.ok)('lockfile v2 and --locked', () => {
  const env = useFixtureMirror('rfs-lockv2-');
  const cache = (): string => join(env.dir, 'cache');
  const build = (args: string[], sde = '1234567890'): Promise<{ code: number; stdout: string; stderr: string }> =>
    runCli(['centos:4.9', ...KEY, '--mirror', env.mirror.url, '--cache-dir', cache(), '-q', ...args], { SOURCE_DATE_EPOCH: sde });
  let first: { code: number; stderr: string };
  const lockA = (): string => join(env.dir, 'a.lock.json');
  const imgA = (): string => join(env.dir, 'a.tar');

  beforeAll(async () => {
    first = await build(['nscd', '--exclude', 'nosuchpkg', '-o', imgA(), '--lockfile', lockA(), '--jobs', '1']);
  }, 600_000);

  it('writes version 2: distro as given and resolved, arch, request, repos with their metadata checksums', async () => {
    expect(first.code, first.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(lockA(), 'utf8')) as LockDoc;
    expect(doc.lockfileVersion).toBe(2);
    expect(doc.distro).toEqual({ ref: 'centos:4.9', tag: 'centos:4.9', id: 'centos', release: '4.9', releasever: '4.9' });
    expect(doc.arch).toBe('x86_64');
    expect(doc.request).toEqual({ packages: ['nscd'], exclude: ['nosuchpkg'], profiles: [], noDefaultPackages: false, weakDeps: false, best: true, skipBroken: false, modules: [], setopt: [] });
    expect(doc.repos.map((r) => r.id)).toEqual(['base']);
    const repo = doc.repos[0]!;
    expect(repo.baseurl).toBe(`${env.mirror.url}4.9/os/x86_64/`);
    // the checksum is of the repomd.xml the mirror serves, computed here independently
    const served = Buffer.from(await (await fetch(`${repo.baseurl}repodata/repomd.xml`)).arrayBuffer());
    expect(repo.repomd.checksum).toEqual({ type: 'sha256', value: createHash('sha256').update(served).digest('hex') });
    expect(served.toString()).toContain(`<revision>${repo.repomd.revision}</revision>`);
    expect(served.toString()).toContain(repo.primary.checksum.value);
    expect(doc.packages.map((p) => p.name)).toContain('nscd');
  });

  it('is byte-identical across runs, --jobs and SOURCE_DATE_EPOCH', async () => {
    const lockB = join(env.dir, 'b.lock.json');
    const r = await build(['nscd', '--exclude', 'nosuchpkg', '-o', join(env.dir, 'b.tar'), '--lockfile', lockB, '--jobs', '6'], '1700000000');
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(lockB).equals(readFileSync(lockA()))).toBe(true);
  }, 600_000);

  it('--locked with the same invocation rebuilds the image and the lock byte for byte', async () => {
    const img = join(env.dir, 'locked.tar');
    const lock = join(env.dir, 'locked.lock.json');
    const r = await build(['nscd', '--exclude', 'nosuchpkg', '-o', img, '--locked', lockA(), '--lockfile', lock]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(img).equals(readFileSync(imgA()))).toBe(true);
    expect(readFileSync(lock).equals(readFileSync(lockA()))).toBe(true);
  }, 600_000);

  it.each([
    ['another distro', ['centos:4', 'nscd', '--exclude', 'nosuchpkg'], /lock was made for centos:4\.9 x86_64, this build is centos:4 x86_64: distro: lock centos:4\.9, this build centos:4(?!\.)/],
    ['another arch', ['centos:4.9', 'nscd', '--exclude', 'nosuchpkg', '--arch', 'i386'], /this build is centos:4\.9 i386: arch: lock x86_64, this build i386/],
    ['other packages', ['centos:4.9', 'nscd', 'dbus', '--exclude', 'nosuchpkg'], /packages: lock nscd, this build dbus nscd/],
    ['no excludes, weak deps', ['centos:4.9', 'nscd', '--weak-deps'], /--exclude: lock nosuchpkg, this build none; weak deps: lock off, this build on/],
  ])('--locked refuses %s, naming the difference, before any request to the mirror', async (_what, args, message) => {
    const before = env.mirror.requests.length;
    const r = await runCli([...args, ...KEY, '--mirror', env.mirror.url, '--cache-dir', cache(), '-o', join(env.dir, 'refused.tar'), '--locked', lockA()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RFS_USAGE/);
    expect(r.stderr).toMatch(message);
    expect(env.mirror.requests.length).toBe(before);
  });

  it('the installed CLI says the same (exit 2, the difference named)', async () => {
    const r = await run(process.execPath, [BIN, 'centos:4', 'nscd', '--exclude', 'nosuchpkg', ...KEY, '--mirror', env.mirror.url, '--cache-dir', cache(), '-o', join(env.dir, 'refused.tar'), '--locked', lockA()], process.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the lock was made for centos:4\.9 x86_64, this build is centos:4 x86_64/);
  });

  it('a repo whose metadata moved is a warning; the build still uses the locked packages', async () => {
    const doc = JSON.parse(readFileSync(lockA(), 'utf8')) as LockDoc;
    doc.repos[0]!.repomd = { checksum: { type: 'sha256', value: '0'.repeat(64) }, revision: '1' };
    const moved = join(env.dir, 'moved.lock.json');
    writeFileSync(moved, JSON.stringify(doc));
    const img = join(env.dir, 'moved.tar');
    const r = await build(['nscd', '--exclude', 'nosuchpkg', '-o', img, '--locked', moved, '--json-progress']);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('RFS_W_LOCK_REPO'));
    expect(warnings.join('\n')).toMatch(/repo base: its metadata changed since the lock was written.*the mirror moved/);
    expect(readFileSync(img).equals(readFileSync(imgA()))).toBe(true);
  }, 600_000);

  it('a package missing from the mirror stays RFS_UNSOLVABLE', async () => {
    const doc = JSON.parse(readFileSync(lockA(), 'utf8')) as LockDoc & { packages: { name: string; checksum: { value: string } }[] };
    doc.packages[0]!.checksum.value = 'f'.repeat(doc.packages[0]!.checksum.value.length);
    const gone = join(env.dir, 'gone.lock.json');
    writeFileSync(gone, JSON.stringify(doc));
    const r = await build(['nscd', '--exclude', 'nosuchpkg', '-o', join(env.dir, 'gone.tar'), '--locked', gone]);
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/is not in the enabled repos with the locked checksum/);
  }, 600_000);

  it('a version 1 lock is still accepted (and still refuses package names)', async () => {
    const doc = JSON.parse(readFileSync(lockA(), 'utf8')) as Record<string, unknown>;
    const v1 = join(env.dir, 'v1.lock.json');
    writeFileSync(v1, JSON.stringify({ lockfileVersion: 1, generator: doc.generator, packages: doc.packages }));
    const img = join(env.dir, 'v1.tar');
    const r = await build(['-o', img, '--locked', v1]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(img).equals(readFileSync(imgA()))).toBe(true);
    const named = await build(['nscd', '-o', join(env.dir, 'v1-named.tar'), '--locked', v1]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/drop the package names/);
  }, 600_000);
});
