// --image-mirror: what the image's .repo files name. The same --locked build from two local
// mirrors (two HTTP servers on 127.0.0.1 serving the same fixture repos) gives byte-identical
// images with `--image-mirror default`; without it each image names the mirror it was built
// from, as before; `--image-mirror URL` writes URL. Read back with the host's tar.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFixtures, FIXTURE_KEY, fixturesAvailable, startMirror, type Mirror } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { runCli } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e image-mirror] skipped: ${avail.reason}`);
const SDE = '1234567890';
const KEY = ['--gpgkey', FIXTURE_KEY];
const REPO_FILE = 'etc/yum.repos.d/CentOS-Base.repo';

const repoFile = (tar: string): string => execFileSync('tar', ['-xOf', tar, REPO_FILE]).toString();
const baseurls = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('baseurl=')).map((l) => l.slice('baseurl='.length));

describe.skipIf(!avail.ok)('--image-mirror', () => {
  const tmp = tempDir('rfs-image-mirror-');
  let a: Mirror;
  let b: Mirror;
  let lock: string;
  const build = (mirror: Mirror, out: string, extra: string[]): ReturnType<typeof runCli> =>
    runCli(['centos:4.9', ...KEY, '--mirror', mirror.url, '-o', join(tmp.dir, out), '--cache-dir', join(tmp.dir, `cache-${mirror === a ? 'a' : 'b'}`), '-q', ...extra], { SOURCE_DATE_EPOCH: SDE });

  beforeAll(async () => {
    await ensureFixtures();
    a = await startMirror();
    b = await startMirror();
    lock = join(tmp.dir, 'c49.lock.json');
    const r = await build(a, 'lock.tar', ['--lockfile', lock]);
    if (r.code !== 0) throw new Error(`lockfile build failed: ${r.stderr}`);
  }, 600_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    tmp.cleanup();
  });

  it('default: the same --locked build from two mirrors is byte-identical and names the public root', async () => {
    expect(a.url).not.toBe(b.url);
    const ra = await build(a, 'a.tar', ['--locked', lock, '--image-mirror', 'default']);
    expect(ra.code, ra.stderr).toBe(0);
    const before = b.requests.length;
    const rb = await build(b, 'b.tar', ['--locked', lock, '--image-mirror', 'default']);
    expect(rb.code, rb.stderr).toBe(0);
    // b really served this build (its own cache, its own packages)
    expect(b.requests.slice(before).filter((p) => p.endsWith('.rpm')).length).toBeGreaterThan(3);
    expect(readFileSync(join(tmp.dir, 'b.tar')).equals(readFileSync(join(tmp.dir, 'a.tar')))).toBe(true);
    const urls = baseurls(repoFile(join(tmp.dir, 'a.tar')));
    expect(urls).toContain('https://vault.centos.org/4.9/os/$basearch/');
    expect(urls.every((u) => u.startsWith('https://vault.centos.org/4.9/'))).toBe(true);
  }, 600_000);

  it('without it the repo files name the build mirror (so the two images differ)', async () => {
    const r = await build(b, 'b-plain.tar', ['--locked', lock]);
    expect(r.code, r.stderr).toBe(0);
    const urls = baseurls(repoFile(join(tmp.dir, 'b-plain.tar')));
    expect(urls).toContain(`${b.url}4.9/os/$basearch/`);
    expect(urls.some((u) => u.startsWith(a.url))).toBe(false);
    expect(repoFile(join(tmp.dir, 'lock.tar'))).toContain(`baseurl=${a.url}4.9/os/$basearch/`);
  }, 600_000);

  it('a build mirror with user:pass@ is named without them (the builder\'s secret stays out of the image)', async () => {
    const secret = b.url.replace('http://', 'http://builder:s3cret@');
    const r = await runCli(['centos:4.9', ...KEY, '--mirror', secret, '-o', join(tmp.dir, 'creds.tar'), '--cache-dir', join(tmp.dir, 'cache-b'), '-q', '--locked', lock], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code, r.stderr).toBe(0);
    const urls = baseurls(repoFile(join(tmp.dir, 'creds.tar')));
    expect(urls).toContain(`${b.url}4.9/os/$basearch/`);
    expect(readFileSync(join(tmp.dir, 'creds.tar')).includes('s3cret')).toBe(false); // nowhere in the image
  }, 600_000);

  it('--image-mirror URL (or the image spec key) writes that URL', async () => {
    const r = await build(b, 'corp.tar', ['--locked', lock, '--image-mirror', 'https://mirror.example.corp/centos-vault']);
    expect(r.code, r.stderr).toBe(0);
    const urls = baseurls(repoFile(join(tmp.dir, 'corp.tar')));
    expect(urls).toContain('https://mirror.example.corp/centos-vault/4.9/os/$basearch/');
    expect(urls.every((u) => u.startsWith('https://mirror.example.corp/centos-vault/4.9/'))).toBe(true);

    const spec = join(tmp.dir, 'image.yaml');
    writeFileSync(spec, ['distro: centos:4.9', `mirror: "${b.url}"`, 'image-mirror: "http://spec.example/vault/"', `locked: ${lock}`, `gpgkey: [${FIXTURE_KEY}]`].join('\n'));
    const s = await runCli(['build', spec, '-o', join(tmp.dir, 'spec.tar'), '--cache-dir', join(tmp.dir, 'cache-b'), '-q'], { SOURCE_DATE_EPOCH: SDE });
    expect(s.code, s.stderr).toBe(0);
    expect(baseurls(repoFile(join(tmp.dir, 'spec.tar')))).toContain('http://spec.example/vault/4.9/os/$basearch/');
  }, 600_000);

  it('a bad URL is RFS_USAGE (exit 2) before anything is fetched, from the flag or the spec', async () => {
    for (const bad of ['vault.centos.org/centos', 'http://', 'mailto:x@y', '']) {
      const before = b.requests.length;
      const r = await build(b, 'bad.tar', ['--image-mirror', bad]);
      expect(r.code, `${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/RFS_USAGE: --image-mirror: not a mirror URL/);
      expect(b.requests.length).toBe(before);
    }
    const spec = join(tmp.dir, 'bad.yaml');
    writeFileSync(spec, ['distro: centos:4.9', `mirror: "${b.url}"`, 'image-mirror: "ftp//nowhere"'].join('\n'));
    const s = await runCli(['build', spec, '-o', join(tmp.dir, 'bad.tar'), '--cache-dir', join(tmp.dir, 'cache-b'), '-q']);
    expect(s.code, s.stderr).toBe(2);
    expect(s.stderr).toContain('RFS_USAGE');
  });
});
