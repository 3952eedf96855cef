// Hostile mirror, metadata class: a 127.0.0.1 server serving a copy of the `modern` fixture repo
// with one crafted defect each (repomd checksums recomputed so nothing else is wrong), run
// through the real CLI as a child. Each case: the stable error and exit code, no output file,
// the canary outside the cache dir untouched and its size never told, memory bounded for bombs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { loadRepo } from '../../src/metadata/index.js';
import { Fetcher } from '../../src/fetch/index.js';
import type { AssembleEvent } from '../../src/types/index.js';
import { craftRepo, joinPrimary, splitPrimary, type CraftedRepo } from './metadata-repo.js';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rootfs-assemble.js');
const PRELOAD = pathToFileURL(join(__dirname, 'hwm-preload.mjs')).href;
const fx = fixturesAvailable();
const built = existsSync(join(ROOT, 'dist/cli/main.js'));
const zstdOk = spawnSync('zstd', ['--version']).status === 0;
const skip = !fx.ok ? fx.reason : !built ? 'dist/ not built (npx tsc -p tsconfig.json)' : !zstdOk ? 'zstd not installed' : '';

const CANARY_SIZE = 31337;
/** peak RSS a refused bomb may cost the CLI */
const RSS_LIMIT_KB = 400 * 1024;

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; hwmKb: number }

describe.skipIf(skip !== '')(`hostile metadata${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const tmp = tempDir('rfs-hostile-md-');
  let server: StaticServer;
  let www = '';
  let canary = '';
  let n = 0;

  beforeAll(async () => {
    www = join(tmp.dir, 'www');
    mkdirSync(www, { recursive: true });
    mkdirSync(join(tmp.dir, 'outside'));
    canary = join(tmp.dir, 'outside', 'canary.txt');
    writeFileSync(canary, 'c'.repeat(CANARY_SIZE));
    server = await startStaticServer([{ prefix: '/', dir: www }]);
  });
  afterAll(async () => {
    await server?.close();
    tmp.cleanup();
  });

  /** A fresh copy of the modern repo, served at the returned URL. */
  const craft = (): { repo: CraftedRepo; url: string; id: string } => {
    const id = `r${n++}`;
    return { repo: craftRepo(fixtureRepo('modern'), join(www, id)), url: `${server.url}${id}/`, id };
  };

  /** Rewrite the `setup` package record of the primary. */
  const editSetup = (repo: CraftedRepo, edit: (pkg: string) => string): void => {
    const { head, packages, tail } = splitPrimary(repo.read('primary'));
    const i = packages.findIndex((p) => p.includes('<name>setup</name>'));
    expect(i).toBeGreaterThanOrEqual(0);
    const edited = edit(packages[i]!);
    expect(edited).not.toBe(packages[i]);
    packages[i] = edited;
    repo.write('primary', joinPrimary(head, packages, tail));
  };

  const runCli = (args: string[]): Promise<Run> => new Promise((done, fail) => {
    const hwmFile = join(tmp.dir, `hwm-${n++}`);
    const child = spawn(process.execPath, ['--import', PRELOAD, BIN, ...args], {
      env: { ...process.env, RFS_HWM_FILE: hwmFile, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = []; const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      const hwmKb = existsSync(hwmFile) ? Number(readFileSync(hwmFile, 'utf8')) : Number.NaN;
      done({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), hwmKb });
    });
  });

  /** Build an image from the repo; the run must fail with `code`, leaving nothing behind. */
  const expectRefused = async (url: string, code: string, exit: number, message?: RegExp): Promise<Run> => {
    const out = join(tmp.dir, `out-${n}.tar`);
    const cache = join(tmp.dir, `cache-${n}`);
    const r = await runCli(['--repofrompath', `h,${url}`, 'setup', '-o', out, '--cache-dir', cache, '-q', '--rpmdb', 'sqlite']);
    expect(r.signal, r.stderr).toBeNull();
    expect(r.code, r.stderr).toBe(exit);
    expect(r.stderr).toContain(code);
    if (message) expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    // the canary outside the cache dir: still there, unchanged, and its size not told
    expect(statSync(canary).size).toBe(CANARY_SIZE);
    expect(r.stderr).not.toContain(String(CANARY_SIZE));
    // nothing the mirror sent is echoed at length
    expect(r.stderr.length).toBeLessThan(4000);
    expect(Number.isFinite(r.hwmKb)).toBe(true);
    return r;
  };

  it('a package checksum that is a path is refused before it becomes a cache path', async () => {
    const { repo, url } = craft();
    const traversal = `../../outside/canary.txt${'/.'.repeat(20)}`.slice(0, 64);
    editSetup(repo, (p) => p.replace(/(<checksum type="sha256" pkgid="YES">)[0-9a-f]{64}/, `$1${traversal}`));
    await expectRefused(url, 'RFS_METADATA_MALFORMED', 4, /checksum \.\.\/\.\.\/outside.* refused: a sha256 digest is hex digits only/);
  }, 60_000);

  it('a package checksum of the wrong length or unknown type is refused', async () => {
    const a = craft();
    editSetup(a.repo, (p) => p.replace(/(<checksum type="sha256" pkgid="YES">[0-9a-f]{64})/, '$1ab'));
    await expectRefused(a.url, 'RFS_METADATA_MALFORMED', 4, /64 hex digits, got 66/);
    const b = craft();
    editSetup(b.repo, (p) => p.replace('<checksum type="sha256"', '<checksum type="crc32"'));
    await expectRefused(b.url, 'RFS_METADATA_MALFORMED', 4, /unknown checksum type crc32/);
  }, 60_000);

  it('a package location naming a local file or another host is refused', async () => {
    const a = craft();
    editSetup(a.repo, (p) => p.replace(/<location href="[^"]+"/, `<location href="${pathToFileURL(canary).href}"`));
    await expectRefused(a.url, 'RFS_METADATA_MALFORMED', 4, /href has a URL scheme/);
    const b = craft();
    editSetup(b.repo, (p) => p.replace(/<location href="[^"]+"/, '<location href="Packages/%2e%2e/%2e%2e/%2e%2e/outside/canary.txt"'));
    await expectRefused(b.url, 'RFS_METADATA_MALFORMED', 4, /'\.\.' segment in href/);
  }, 60_000);

  it('download: a location whose file name is no plain NAME.rpm (a dotfile, a folder) writes nothing', async () => {
    for (const href of ['Packages/s/.bashrc', 'Packages/s/.']) {
      const a = craft();
      editSetup(a.repo, (p) => p.replace(/<location href="[^"]+"/, `<location href="${href}"`));
      const dest = join(tmp.dir, `dest-${a.id}`);
      mkdirSync(dest);
      const r = await runCli(['download', '--repofrompath', `${a.id},${a.url}`, '--cache-dir', join(tmp.dir, `cache-${a.id}`), 'setup', '--destdir', dest, '--nogpgcheck']);
      expect(r.code, r.stderr).toBe(4);
      expect(r.stderr).toMatch(/RFS_METADATA_MALFORMED.*no plain NAME\.rpm/);
      expect(readdirSync(dest)).toEqual([]);
    }
  }, 60_000);

  it('a package xml:base of file: or of another host is refused', async () => {
    const a = craft();
    editSetup(a.repo, (p) => p.replace(/<location href="[^"]+"/, `<location xml:base="${pathToFileURL(join(tmp.dir, 'outside')).href}/" href="canary.txt"`));
    await expectRefused(a.url, 'RFS_METADATA_MALFORMED', 4, /xml:base: a file: URL in a remote repo/);
    const b = craft();
    const other = server.url.replace('127.0.0.1', 'localhost');
    editSetup(b.repo, (p) => p.replace(/<location href=/, `<location xml:base="${other}${b.id}/" href=`));
    await expectRefused(b.url, 'RFS_METADATA_MALFORMED', 4, /another host than the repo/);
    expect(server.log.some((r) => r.path.includes('setup-'))).toBe(false);
  }, 60_000);

  it('repomd.xml: a location or xml:base leaving the repo is refused before anything is fetched from it', async () => {
    const a = craft();
    a.repo.editRepomd((x) => x.replace(/(<data type="primary">[\s\S]*?<location )href="[^"]+"/, `$1href="${pathToFileURL(canary).href}"`));
    await expectRefused(a.url, 'RFS_METADATA_MALFORMED', 4, /primary: location file:.* href has a URL scheme/);
    const b = craft();
    b.repo.editRepomd((x) => x.replace(/(<data type="primary">[\s\S]*?<location )/, `$1xml:base="${pathToFileURL(join(tmp.dir, 'outside')).href}/" `));
    await expectRefused(b.url, 'RFS_METADATA_MALFORMED', 4, /primary xml:base file:.* refused/);
  }, 60_000);

  it('repomd.xml: a NUL, a 100 KB checksum, a bad open-checksum are malformed', async () => {
    const a = craft();
    a.repo.editRepomd((x) => x.replace('<revision>', '<revision>\u0000'));
    await expectRefused(a.url, 'RFS_METADATA_MALFORMED', 4, /U\+0000 is not allowed in XML/);
    const b = craft();
    b.repo.editRepomd((x) => x.replace(/(<data type="primary">\s*<checksum type="sha256">)[0-9a-f]{64}/, `$1${'f'.repeat(100_000)}`));
    const r = await expectRefused(b.url, 'RFS_METADATA_MALFORMED', 4);
    expect(r.stderr).not.toContain('f'.repeat(200));
    const c = craft();
    c.repo.editRepomd((x) => x.replace(/(<data type="primary">[\s\S]*?<open-checksum type="sha256">)[0-9a-f]{64}/, '$1deadbeef'));
    await expectRefused(c.url, 'RFS_METADATA_MALFORMED', 4, /open-checksum deadbeef: a sha256 digest is 64 hex digits/);
  }, 60_000);

  it('an open-checksum or open-size that does not match the decompressed primary is a checksum mismatch', async () => {
    const a = craft();
    a.repo.editRepomd((x) => x.replace(/(<data type="primary">[\s\S]*?<open-checksum type="sha256">)[0-9a-f]{64}/, `$1${'0'.repeat(64)}`));
    await expectRefused(a.url, 'RFS_CHECKSUM_MISMATCH', 4, /primary\.xml\.zst: decompressed content's sha256 is [0-9a-f]{64}, repomd\.xml open-checksum says 0{64}/);
    const b = craft();
    b.repo.editRepomd((x) => x.replace(/(<data type="primary">[\s\S]*?<open-size>)(\d+)/, (_m, pre: string, size: string) => `${pre}${Number(size) - 100}`));
    await expectRefused(b.url, 'RFS_CHECKSUM_MISMATCH', 4, /decompressed to \d+ bytes, repomd\.xml open-size says \d+/);
  }, 60_000);

  it('an open-size far below the real size stops decompression at open-size plus a margin', async () => {
    const { repo, url } = craft();
    repo.editRepomd((x) => x.replace(/(<data type="primary">[\s\S]*?<open-size>)(\d+)/, '$11000'));
    await expectRefused(url, 'RFS_SIZE_LIMIT', 4, /66536/); // 1000 + the 64 KiB margin
  }, 60_000);

  it('a remote mirror list naming file: mirrors is not followed to local files', async () => {
    const local = join(tmp.dir, 'outside', 'repo');
    craftRepo(fixtureRepo('modern'), local);
    writeFileSync(join(www, 'mirrors.txt'), `${pathToFileURL(local).href}/\n`);
    const events: AssembleEvent[] = [];
    const f = new Fetcher({ cacheDir: join(tmp.dir, `cache-${n++}`), retries: 0, onEvent: (e) => events.push(e) });
    const err = await loadRepo({ id: 'ml', mirrorlist: `${server.url}mirrors.txt`, enabled: true }, f, { arch: 'x86_64', cacheDir: join(tmp.dir, `cache-${n++}`), onEvent: (e) => events.push(e) })
      .then(() => undefined, (e: unknown) => e);
    await f.close();
    expect(err, JSON.stringify(events)).toMatchObject({ code: 'RFS_NO_MIRROR' });
    // said by the mirror list reader (src/fetch/mirrors.ts) or, failing that, by the loader
    expect(events.some((e) => e.kind === 'warning' && /mirror list of ml/.test(e.message))).toBe(true);
    expect(events.some((e) => e.kind === 'fetch:start' && e.url.startsWith('file:'))).toBe(false);
  }, 60_000);

  /** Compressed with zstd from a shell pipeline: the bomb's body never sits in this process's memory. */
  const bomb = (repo: CraftedRepo, head: string, body: string, tail: string, openSize: number): void => {
    const file = join(tmp.dir, `bomb-${n++}.zst`);
    const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
    const r = spawnSync('sh', ['-c', `{ printf '%s' ${q(head)}; ${body}; printf '%s' ${q(tail)}; } | zstd -q -1 -T1 -c > ${q(file)}`]);
    expect(r.status, r.stderr.toString()).toBe(0);
    repo.writePacked('primary', readFileSync(file), '.zst', { openSize });
  };
  const PRIMARY_HEAD = '<?xml version="1.0"?><metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1"><package type="rpm"><name>';

  it('a primary holding one 3 GB <name> is refused at the text bound, in bounded memory', async () => {
    const { repo, url } = craft();
    const size = 3 * 1024 ** 3;
    bomb(repo, PRIMARY_HEAD, `head -c ${size} /dev/zero | tr '\\0' n`, '</name></package></metadata>', PRIMARY_HEAD.length + size + 28);
    const r = await expectRefused(url, 'RFS_METADATA_MALFORMED', 4, /text longer than 1048576 characters \(limit maxText\)/);
    expect(r.hwmKb).toBeLessThan(RSS_LIMIT_KB);
  }, 180_000);

  it('1 GB of nested <x> in primary is refused at the depth bound (no crash), in bounded memory', async () => {
    const { repo, url } = craft();
    const size = 1024 ** 3;
    bomb(repo, '<?xml version="1.0"?><metadata packages="1">', `yes '<x>' | tr -d '\\n' | head -c ${size}`, '', size + 44);
    const r = await expectRefused(url, 'RFS_METADATA_MALFORMED', 4, /nested deeper than 64 \(limit maxDepth\)/);
    expect(r.hwmKb).toBeLessThan(RSS_LIMIT_KB);
  }, 180_000);

  it('2,000 copies of one package with big provides and file lists: kept once, reported, bounded memory', async () => {
    const { repo, url } = craft();
    const { head, packages, tail } = splitPrimary(repo.read('primary'));
    const i = packages.findIndex((p) => p.includes('<name>setup</name>'));
    const provides = Array.from({ length: 500 }, (_, k) => `<rpm:entry name="libdup${k}.so()(64bit)"/>`).join('');
    const files = Array.from({ length: 1000 }, (_, k) => `<file>/usr/lib/dup/file${k}</file>`).join('');
    const big = packages[i]!.replace('<rpm:provides>', `<rpm:provides>${provides}`).replace('</format>', `${files}</format>`);
    const all = [...packages.slice(0, i), ...Array.from({ length: 2000 }, () => big), ...packages.slice(i + 1)];
    repo.write('primary', joinPrimary(head, all, tail));
    const r = await runCli(['resolve', '--repofrompath', `h,${url}`, 'setup', '--cache-dir', join(tmp.dir, `cache-${n}`), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const names = (JSON.parse(r.stdout) as { name: string }[]).map((p) => p.name);
    expect(names.filter((x) => x === 'setup')).toHaveLength(1);
    expect(r.hwmKb).toBeLessThan(RSS_LIMIT_KB);
    // and the loader says so
    const events: AssembleEvent[] = [];
    const f = new Fetcher({ cacheDir: join(tmp.dir, `cache-${n}`), retries: 0 });
    try {
      const loaded = await loadRepo({ id: 'h', baseurl: [url], enabled: true }, f, { arch: 'x86_64', cacheDir: join(tmp.dir, `cache-lib-${n}`), onEvent: (e) => events.push(e) });
      expect(loaded.packages.filter((p) => p.name === 'setup')).toHaveLength(1);
    } finally { await f.close(); }
    const warn = events.find((e) => e.kind === 'warning');
    expect(warn && 'message' in warn ? warn.message : '').toMatch(/repo h lists 1999 duplicate package records \(kept the first of each\): setup-0:2\.14\.4-1\.fc39\.noarch/);
  }, 180_000);
});
