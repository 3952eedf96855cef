import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/fetch/index.js';
import { loadRepo, plainPackage } from '../../src/metadata/index.js';
import { isRfsError, type RfsError } from '../../src/errors/index.js';
import { Sense, type RepoConfig } from '../../src/types/index.js';
import { compress, FILELISTS, PRIMARY, writeRepo, type Codec } from './repo-builder.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';

const have = (t: string): boolean => spawnSync(t, ['--version'], { stdio: 'ignore' }).status === 0;

describe('loadRepo on hand-made repodata', () => {
  let root: string;
  let fetcher: Fetcher;
  let n = 0;
  const repoAt = (files: Parameters<typeof writeRepo>[1]): RepoConfig => {
    const dir = join(root, `r${n++}`);
    writeRepo(dir, files);
    return { id: `test${n}`, baseurl: [pathToFileURL(dir).href + '/'], enabled: true };
  };
  // A fresh Fetcher per load: a Fetcher stops for good after its first failure.
  const load = async (r: RepoConfig): Promise<Awaited<ReturnType<typeof loadRepo>>> => {
    const f = new Fetcher({ cacheDir: join(root, 'cache'), retries: 0 });
    try { return await loadRepo(r, f, { arch: 'i386', cacheDir: join(root, 'cache'), noPoolCache: true }); } finally { await f.close(); }
  };
  const caught = async (p: Promise<unknown>): Promise<RfsError> => {
    try { await p; } catch (e) { if (isRfsError(e)) return e; throw e; }
    throw new Error('expected a rejection');
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'rfs-meta-'));
    fetcher = new Fetcher({ cacheDir: join(root, 'cache'), retries: 0 });
  });
  afterAll(async () => { await fetcher.close(); rmSync(root, { recursive: true, force: true }); });

  for (const codec of ['gz', 'bz2', 'xz', 'zst', 'none'] as Codec[]) {
    it.skipIf(codec !== 'gz' && codec !== 'none' && !have(codec === 'bz2' ? 'bzip2' : codec === 'zst' ? 'zstd' : 'xz'))(`reads ${codec} primary with sha (SHA-1) checksums, CentOS 4 style`, async () => {
      const r = await load(repoAt([{ type: 'primary', name: `primary.xml${codec === 'none' ? '' : `.${codec}`}`, data: compress(Buffer.from(PRIMARY), codec), checksumType: 'sha' }]));
      expect(r.packages.length).toBe(1); // the src package is not installable
      const bash = r.packages[0]!;
      expect(bash).toMatchObject({
        name: 'bash', epoch: 0, version: '3.0', release: '27.el4', arch: 'i386', location: 'CentOS/RPMS/bash-3.0-27.el4.i386.rpm',
        checksum: { type: 'sha1', value: 'a'.repeat(40) }, packageSize: 1000, installedSize: 5000, buildtime: 1234,
        summary: 'The GNU Bourne Again shell & friends', license: 'GPL', vendor: 'CentOS', group: 'System Environment/Shells',
        sourcerpm: 'bash-3.0-27.el4.src.rpm', files: ['/bin/bash', '/etc/skel'], repo: r.config.id,
      });
      expect(bash.provides).toEqual([{ name: 'bash', flags: Sense.EQUAL, version: '3.0-27.el4' }, { name: '/bin/sh', flags: 0, version: '' }]);
      expect(bash.requires).toEqual([
        { name: '/sbin/install-info', flags: Sense.PREREQ | Sense.SCRIPT_PRE, version: '' },
        { name: 'libc.so.6(GLIBC_2.3)', flags: 0, version: '' },
        { name: 'mktemp', flags: Sense.GREATER | Sense.EQUAL, version: '2:1.5' },
        { name: 'glibc', flags: Sense.LESS, version: '3-1' },
      ]);
      expect(bash.obsoletes).toEqual([{ name: 'bash2', flags: Sense.LESS | Sense.EQUAL, version: '2.05' }]);
      expect(r.revision).toBe('42');
    });
  }

  it('loads filelists only on demand and merges them by pkgid', async () => {
    const r = await load(repoAt([
      { type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY), 'gz') },
      { type: 'filelists', name: 'filelists.xml.gz', data: compress(Buffer.from(FILELISTS), 'gz') },
    ]));
    expect(r.hasFilelists).toBe(true);
    expect(await r.loadFilelists()).toEqual([['/bin/bash', '/usr/share/doc/bash-3.0/FAQ', '/etc/skel']]);
  });

  it('a damaged pool cache is detected and rebuilt from primary.xml', async () => {
    const { readdirSync, truncateSync } = await import('node:fs');
    const repo = repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY), 'gz') }]);
    const cacheDir = join(root, 'poolcache');
    const seen: boolean[] = [];
    const opts = { arch: 'i386', cacheDir, onEvent: (e: { kind: string; fromCache?: boolean }) => { if (e.kind === 'repo:loaded') seen.push(e.fromCache === true); } };
    const first = await loadRepo(repo, fetcher, opts);
    const second = await loadRepo(repo, fetcher, opts);
    expect(second.packages.map(plainPackage)).toEqual(first.packages.map(plainPackage));
    const pool = readdirSync(join(cacheDir, 'pool')).find((f) => f.endsWith('.pool'))!;
    truncateSync(join(cacheDir, 'pool', pool), 200);
    const third = await loadRepo(repo, fetcher, opts);
    expect(third.packages.map(plainPackage)).toEqual(first.packages.map(plainPackage));
    expect(seen).toEqual([false, true, false]);
  });

  it('malformed XML: RFS_METADATA_MALFORMED naming repo and URL', async () => {
    const bad = PRIMARY.replace('</summary>', '</sumary>');
    const repo = repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(bad), 'gz') }]);
    const e = await caught(load(repo));
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toContain(`repo ${repo.id}`);
    expect(e.message).toContain('</sumary>');
    expect(e.subject).toMatch(/^file:.*primary\.xml\.gz$/);
  });

  it('XML the fast tokenizer refuses but sax accepts (a DOCTYPE with an internal subset) still loads', async () => {
    const odd = PRIMARY.replace('<metadata ', '<!DOCTYPE metadata [ <!ENTITY x "y"> ]>\n<metadata ');
    const r = await load(repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(odd), 'gz') }]));
    expect(r.packages.map((p) => p.name)).toEqual(['bash']);
  });

  it('truncated gzip (checksum of the cut file declared): RFS_METADATA_TRUNCATED', async () => {
    const gz = compress(Buffer.from(PRIMARY), 'gz');
    const repo = repoAt([{ type: 'primary', name: 'primary.xml.gz', data: gz.subarray(0, gz.length - 30) }]);
    const e = await caught(load(repo));
    expect(e.code).toBe('RFS_METADATA_TRUNCATED');
    expect(e.message).toContain(`repo ${repo.id}`);
    expect(e.subject).toMatch(/primary\.xml\.gz$/);
  });

  it('document cut short (valid gzip): RFS_METADATA_TRUNCATED', async () => {
    const e = await caught(load(repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY.slice(0, 1500)), 'gz') }])));
    expect(e.code).toBe('RFS_METADATA_TRUNCATED');
  });

  it('checksum mismatch: RFS_CHECKSUM_MISMATCH naming the URL', async () => {
    const e = await caught(load(repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY), 'gz'), declaredChecksum: 'f'.repeat(64) }])));
    expect(e.code).toBe('RFS_CHECKSUM_MISMATCH');
    expect(e.message).toMatch(/^loading primary of repo test\d+: verifying file:.*primary\.xml\.gz: sha256 is/);
    expect(e.subject).toMatch(/primary\.xml\.gz$/);
  });

  it('package count disagreeing with the header is malformed', async () => {
    const e = await caught(load(repoAt([{ type: 'primary', name: 'primary.xml', data: Buffer.from(PRIMARY.replace('packages="2"', 'packages="3"')) }])));
    expect(e.code).toBe('RFS_METADATA_MALFORMED');
    expect(e.message).toContain('declares 3 packages, contains 2');
  });

  describe('over HTTP', () => {
    let server: StaticServer;
    beforeAll(async () => { server = await startStaticServer([{ prefix: '/', dir: root }]); });
    afterAll(async () => { await server.close(); });

    it('a 404 on repomd.xml names repo and URL and hints at release/arch/vault', async () => {
      const e = await caught(load({ id: 'base', baseurl: [`${server.url}nonexistent/4.9/os/i386/`], enabled: true }));
      expect(e.code).toBe('RFS_HTTP_STATUS');
      expect(e.message).toBe('fetching repomd.xml of repo base: HTTP 404');
      expect(e.subject).toBe(`${server.url}nonexistent/4.9/os/i386/repodata/repomd.xml`);
      expect(e.hint).toMatch(/release\/arch.*vault/);
    });

    it('loads through a metalink and verifies repomd.xml against it', async () => {
      const repo = repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY), 'gz') }]);
      const dirName = `r${n - 1}`;
      const { createHash } = await import('node:crypto');
      const { readFileSync, writeFileSync } = await import('node:fs');
      const md = readFileSync(join(root, dirName, 'repodata', 'repomd.xml'));
      const metalink = (hash: string): string => `<?xml version="1.0"?><metalink version="3.0" xmlns="http://www.metalinker.org/"><files><file name="repomd.xml">
<verification><hash type="sha256">${hash}</hash></verification><resources>
<url protocol="http" type="http" preference="100">${server.url}${dirName}/repodata/repomd.xml</url></resources></file></files></metalink>`;
      writeFileSync(join(root, 'good.metalink'), metalink(createHash('sha256').update(md).digest('hex')));
      writeFileSync(join(root, 'bad.metalink'), metalink('0'.repeat(64)));
      const good = await load({ id: repo.id, metalink: `${server.url}good.metalink`, enabled: true });
      expect(good.baseUrls).toEqual([`${server.url}${dirName}/`]);
      expect(good.packages.length).toBe(1);
      const e = await caught(load({ id: repo.id, metalink: `${server.url}bad.metalink`, enabled: true }));
      expect(e.code).toBe('RFS_CHECKSUM_MISMATCH');
      expect(e.message).toContain('metalink');
    });

    it('xml:base may name the repo\'s own origin (a remote repo) or local files (a file: repo), nothing else', async () => {
      const { readFileSync, writeFileSync, renameSync, mkdirSync } = await import('node:fs');
      // the primary moves to another directory; repomd's xml:base points there
      const moved = (): { repo: RepoConfig; dir: string } => {
        const repo = repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY), 'gz') }]);
        const dir = `r${n - 1}`;
        mkdirSync(join(root, `${dir}-elsewhere`, 'repodata'), { recursive: true });
        renameSync(join(root, dir, 'repodata', 'primary.xml.gz'), join(root, `${dir}-elsewhere`, 'repodata', 'primary.xml.gz'));
        return { repo, dir };
      };
      const setBase = (dir: string, base: string): void => {
        const p = join(root, dir, 'repodata', 'repomd.xml');
        writeFileSync(p, readFileSync(p, 'utf8').replace('<location href=', `<location xml:base="${base}" href=`));
      };
      const a = moved();
      setBase(a.dir, `${server.url}${a.dir}-elsewhere/`);
      expect((await load({ id: 'a', baseurl: [`${server.url}${a.dir}/`], enabled: true })).packages.length).toBe(1);
      const b = moved();
      setBase(b.dir, `${pathToFileURL(join(root, `${b.dir}-elsewhere`)).href}/`);
      expect((await load(b.repo)).packages.length).toBe(1); // repoAt configures a file: baseurl
      const e = await caught(load({ id: 'c', baseurl: [`${server.url}${b.dir}/`], enabled: true }));
      expect(e.code).toBe('RFS_METADATA_MALFORMED');
      expect(e.message).toMatch(/^loading repo c: primary xml:base file:.* refused: xml:base: a file: URL in a remote repo$/);
    });

    it('falls back along a mirrorlist', async () => {
      const repo = repoAt([{ type: 'primary', name: 'primary.xml.gz', data: compress(Buffer.from(PRIMARY), 'gz') }]);
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(root, 'mirrorlist.txt'), `${server.url}gone/\n${server.url}r${n - 1}/\n`);
      const r = await load({ id: repo.id, mirrorlist: `${server.url}mirrorlist.txt`, enabled: true });
      expect(r.packages.length).toBe(1);
      expect(r.baseUrls).toEqual([`${server.url}gone/`, `${server.url}r${n - 1}/`]);
    });
  });
});
