// `rootfs-assemble resolve` on the real CS9 metadata through file:// repos.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveCommand } from '../../src/cli/commands/resolve.js';
import { reportError, type CliIO } from '../../src/cli/io.js';
import { tempDir } from '../helpers/temp-dir.js';
import { APPSTREAM, BASEOS, SOLVER_CACHE, haveCs9 } from './cs9.js';

const cacheDir = SOLVER_CACHE;
const scratch = tempDir('rfs-resolve-cli-');
afterAll(() => scratch.cleanup());

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void): Writable => new Writable({ write(c, _e, cb) { f(String(c)); cb(); } });
  const io: CliIO = { stdout: sink((s) => { out += s; }), stderr: sink((s) => { err += s; }), env: process.env, cwd: scratch.dir };
  let code: number;
  try { code = await resolveCommand(args, io); } catch (e) { code = reportError(e, io); }
  return { code, out, err };
}

const repos = ['--repofrompath', `b,file://${BASEOS}`, '--repofrompath', `a,file://${APPSTREAM}`, '--arch', 'x86_64', '--cache-dir', cacheDir];

describe.skipIf(!haveCs9)('rootfs-assemble resolve', () => {
  it('--json prints the install set', async () => {
    const r = await run([...repos, '--json', 'bash']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { name: string; epoch: number; version: string; release: string; arch: string; repo: string }[];
    expect(list).toHaveLength(14);
    expect(list.find((p) => p.name === 'bash')).toEqual({ name: 'bash', epoch: 0, version: '5.1.8', release: '2.el9', arch: 'x86_64', repo: 'b' });
  }, 60_000);

  it('prints a dnf-like table', async () => {
    const r = await run([...repos, 'bash']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Installing:\n bash +x86_64 +5\.1\.8-2\.el9 +b\n/);
    expect(r.out).toMatch(/Installing dependencies:\n/);
    expect(r.out).toMatch(/Install {2}14 Packages\n$/);
  }, 60_000);

  it('exits non-zero with the explanation on stderr when unsolvable, and dumps a testcase', async () => {
    const r = await run([...repos, '--dump-testcase', 'perl.t', 'perl']);
    expect(r.code).toBe(6);
    expect(r.out).toBe('');
    expect(r.err).toContain('RFS_UNSOLVABLE');
    expect(r.err).toMatch(/nothing provides \S+ .*needed by gcc-/);
    expect(r.err).toContain("'perl' was requested");
    const tc = readFileSync(join(scratch.dir, 'perl.t'), 'utf8');
    expect(tc).toMatch(/^job install oneof perl-4:5\.32\.1-479\.el9\.x86_64@a/m);
  }, 60_000);

  it('loads filelists on demand for a path outside primary', async () => {
    // BaseOS only: ../shared's AppStream filelists is an empty stub (its README), which fails its
    // repomd checksum; only a cache warmed from a full copy ever hid that
    const r = await run(['--repofrompath', `b,file://${BASEOS}`, '--arch', 'x86_64', '--cache-dir', cacheDir, '--json', '/usr/share/doc/bash/FAQ']);
    expect(r.code, r.err).toBe(0);
    expect((JSON.parse(r.out) as { name: string }[]).map((p) => p.name)).toContain('bash');
  }, 60_000);

  it('--weak-deps and --exclude change the answer', async () => {
    const off = JSON.parse((await run([...repos, '--json', 'dnf'])).out) as unknown[];
    const on = JSON.parse((await run([...repos, '--json', '--weak-deps', 'dnf'])).out) as unknown[];
    expect(on.length).toBeGreaterThan(off.length);
    const ex = await run([...repos, '--json', '--exclude', 'tzdata', 'bash']);
    expect(ex.code).toBe(6);
    expect(ex.err).toContain('only provided by excluded packages');
  }, 60_000);

  it('needs packages', async () => {
    const r = await run([...repos]);
    expect(r.code).toBe(2);
  });
});
if (!haveCs9 || !existsSync(BASEOS)) console.warn('skipping resolve CLI tests: CS9 realdata absent');
