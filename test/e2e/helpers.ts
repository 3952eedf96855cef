// Shared bits for end-to-end tests: run the CLI in-process or as a child, list a tar with an
// independent reader (Python's tarfile), query an rpmdb with Debian's rpm.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ensureFixtures, fixtureRepo, startMirror } from '../helpers/fixtures.js';
import type { Mirror } from '../helpers/fixtures.js';
import { hostRpm } from '../helpers/host-rpm.js';

export const ROOT = resolve(__dirname, '../..');
export const BIN = resolve(ROOT, 'bin/rootfs-assemble.js');

export function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export const isRoot = process.getuid?.() === 0;

export interface FixtureEnv { readonly mirror: Mirror; readonly dir: string }

/**
 * For a describe block: the fixture repos built, the mirror started and a scratch directory made
 * (beforeAll), both gone afterwards (the directory stays with `keep`). Read the fields inside tests.
 */
export function useFixtureMirror(prefix: string, opts: { keep?: boolean } = {}): FixtureEnv {
  let mirror: Mirror | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    await ensureFixtures();
    mirror = await startMirror();
    dir = mkdtempSync(join(tmpdir(), prefix));
  }, 600_000);
  afterAll(async () => {
    await mirror?.close();
    if (dir && !opts.keep) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get mirror(): Mirror { if (!mirror) throw new Error('the fixture mirror is not started (use it inside tests)'); return mirror; },
    get dir(): string { if (!dir) throw new Error('the scratch directory is not made (use it inside tests)'); return dir; },
  };
}

/** Run the CLI in this process; returns exit code and captured output. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: [Buffer[], Buffer[]] = [[], []];
  out.on('data', (c: Buffer) => chunks[0].push(c));
  err.on('data', (c: Buffer) => chunks[1].push(c));
  const code = await main(argv, { stdout: out, stderr: err, env: { ...process.env, ...env }, cwd: process.cwd() });
  return { code, stdout: Buffer.concat(chunks[0]).toString(), stderr: Buffer.concat(chunks[1]).toString() };
}

export interface TarMember {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  size: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  mtime: number;
  xattrs: Record<string, string>;
}

const LIST_PY = `
import json, sys, tarfile
types = {tarfile.REGTYPE: 'file', tarfile.AREGTYPE: 'file', tarfile.DIRTYPE: 'dir', tarfile.SYMTYPE: 'symlink',
         tarfile.LNKTYPE: 'hardlink', tarfile.CHRTYPE: 'char', tarfile.BLKTYPE: 'block', tarfile.FIFOTYPE: 'fifo'}
out = []
with tarfile.open(sys.argv[1]) as t:
    for m in t:
        x = {k[len('SCHILY.xattr.'):]: v.encode('utf-8', 'surrogateescape').hex() for k, v in m.pax_headers.items() if k.startswith('SCHILY.xattr.')}
        out.append(dict(name=m.name, type=types.get(m.type, str(m.type)), mode=m.mode, uid=m.uid, gid=m.gid, uname=m.uname,
                        gname=m.gname, size=m.size, linkname=m.linkname, devmajor=m.devmajor, devminor=m.devminor, mtime=int(m.mtime), xattrs=x))
json.dump(out, sys.stdout)
`;

/** List a tar with Python's tarfile (an independent reader). Names are normalised to '/path'. */
export function listTar(file: string): Map<string, TarMember> {
  const json = execFileSync('python3', ['-c', LIST_PY, file], { maxBuffer: 1 << 28 }).toString();
  const members = JSON.parse(json) as TarMember[];
  return new Map(members.map((m) => [`/${m.name.replace(/^\.?\/+/, '')}`.replace(/\/$/, '') || '/', m]));
}

/** `rpm` against a root's database, read-only, with the right backend. */
export function rpmQuery(root: string, dbpath: string, backend: 'bdb_ro' | 'sqlite', args: string[]): string {
  return hostRpm(['--root', root, '--dbpath', dbpath, '--define', `_db_backend ${backend}`, ...args], { ...process.env, HOME: '/nonexistent' });
}

/** Run a command without blocking this process's event loop (test servers live here). */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
    child.stdin.end(input);
  });
}

/**
 * The host's `dnf --installroot ROOT` (as root) over the fixture repos `layers` and `modern`,
 * quiet, without weak deps, its cache in `cache`. Debian's rpm keeps its db under ~: `macros`
 * (default `%_dbpath /var/lib/rpm`) go into a .rpmmacros in a HOME of their own.
 */
export async function dnfInRoot(root: string, args: string[], opts: { cache: string; macros?: string }): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = `${opts.cache}-home`;
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, '.rpmmacros'), opts.macros ?? '%_dbpath /var/lib/rpm\n');
  const repos = ['modern', 'layers'] as const;
  return run('dnf', ['-y', '-q', `--installroot=${root}`, '--releasever=39', '--disablerepo=*', '--nogpgcheck',
    ...repos.flatMap((r) => [`--repofrompath=${r},file://${fixtureRepo(r)}`, `--enablerepo=${r}`]),
    '--setopt=install_weak_deps=False', `--setopt=cachedir=${opts.cache}`, '--setopt=reposdir=/nonexistent', ...args], { ...process.env, HOME: home });
}
