// dnf's solver options through the CLI against the `dnfopts` fixture repo (app-2.0 needs what
// nothing provides, broken never installs, clash conflicts with tool, nodejs in two module
// streams with 18 the default, perl-stream only in a stream without default): --best/--nobest,
// --skip-broken, --module, --setopt, their record in the lockfile, and the host's dnf's answer.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';
import { parseDnfTable } from '../solver/cs9.js';
import { have, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e dnf-options] skipped: ${avail.reason}`);
const haveDnf = have('dnf');
if (avail.ok && !haveDnf) console.warn('[e2e dnf-options] dnf absent: the comparisons with the host dnf are skipped');

type Row = { name: string; epoch: number; version: string; release: string; arch: string; repo: string };

describe.skipIf(!avail.ok)('dnf options: --best/--nobest, --skip-broken, --module, --setopt', () => {
  const env = useFixtureMirror('rfs-dnfopts-');
  const repo = (id = 'dnfopts'): string[] => ['--repofrompath', `${id},${env.mirror.repoUrl('dnfopts')}`];
  const resolve = (args: string[]): ReturnType<typeof runCli> => runCli(['resolve', ...args, '--cache-dir', join(env.dir, 'cache')]);
  /** resolve --json: name-version-release@repo of each package, sorted */
  async function set(args: string[]): Promise<{ set: string[]; stderr: string }> {
    const r = await resolve([...args, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return { set: (JSON.parse(r.stdout) as Row[]).map((p) => `${p.name}-${p.version}-${p.release}@${p.repo}`).sort(), stderr: r.stderr };
  }

  it('best is the default: the newest app has an unmet dependency, so the request fails; --nobest falls back', async () => {
    const best = await resolve([...repo(), 'app']);
    expect(best.code).toBe(6);
    expect(best.stderr).toContain('nothing provides libfuture >= 2 needed by app-2.0-1.noarch');
    expect(best.stderr).toContain('--nobest');
    expect((await resolve([...repo(), 'app', '--best'])).code).toBe(6);
    expect((await set([...repo(), 'app', '--nobest'])).set).toEqual(['app-1.0-1@dnfopts']);
    // a setopt is applied after the flags, as dnf 4 does (checked against dnf below)
    expect((await resolve([...repo(), 'app', '--nobest', '--setopt', 'best=1'])).code).toBe(6);
    expect((await set([...repo(), 'app', '--best', '--setopt', 'best=0'])).set).toEqual(['app-1.0-1@dnfopts']);
  }, 120_000);

  it('--skip-broken leaves out each request that cannot go in, says why, and installs the rest', async () => {
    const strict = await resolve([...repo(), 'broken', 'tool', 'nosuch', 'clash']);
    expect(strict.code).toBe(6);
    const r = await set([...repo(), '--skip-broken', 'broken', 'tool', 'nosuch', 'clash']);
    expect(r.set).toEqual(['tool-1.0-1@dnfopts']);
    expect(r.stderr).toMatch(/skipping 'broken' \(--skip-broken\): nothing provides missing-dep needed by broken-1\.0-1\.noarch/);
    expect(r.stderr).toMatch(/skipping 'nosuch' \(--skip-broken\): no package matches 'nosuch'/);
    expect(r.stderr).toMatch(/skipping 'clash' \(--skip-broken\): package clash-1\.0-1\.noarch conflicts with tool/);
    // of two conflicting requests the later one goes, as libsolv drops the last weak job
    expect((await set([...repo(), '--skip-broken', 'clash', 'tool'])).set).toEqual(['clash-1.0-1@dnfopts']);
    // strict=0 is skip_broken=1
    expect((await set([...repo(), '--setopt', 'strict=0', 'broken', 'tool'])).set).toEqual(['tool-1.0-1@dnfopts']);
    // best and skip-broken: the broken best app is skipped, not replaced by app-1.0 (dnf does the same)
    const both = await set([...repo(), '--skip-broken', 'app', 'tool']);
    expect(both.set).toEqual(['tool-1.0-1@dnfopts']);
    expect(both.stderr).toContain("skipping 'app'");
    expect((await set([...repo(), '--skip-broken', '--nobest', 'app', 'tool'])).set).toEqual(['app-1.0-1@dnfopts', 'tool-1.0-1@dnfopts']);
  }, 120_000);

  it('the query commands see the repos as the build does: --module and --setopt REPOID.KEY', async () => {
    const q = async (args: string[]): Promise<string> => {
      const r = await runCli(['repoquery', ...repo(), ...args, '--qf', '%{name}-%{version}', '--cache-dir', join(env.dir, 'cache')]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(await q(['nodejs'])).toBe('nodejs-18.19.0\n');
    expect(await q(['nodejs', '--module', 'nodejs:20'])).toBe('nodejs-20.10.0\n');
    expect(await q(['tool', 'app'])).toBe('app-1.0\napp-2.0\ntool-1.0\n');
    expect(await q(['tool', 'app', '--setopt', 'dnfopts.excludepkgs=app'])).toBe('tool-1.0\n');
    const bad = await runCli(['repoquery', ...repo(), 'tool', '--module', 'nodejs', '--cache-dir', join(env.dir, 'cache')]);
    expect(bad.code).toBe(2);
  }, 120_000);

  it('--module enables a stream as dnf module enable; unknown modules and streams are usage errors', async () => {
    expect((await set([...repo(), 'nodejs'])).set).toEqual(['nodejs-18.19.0-1.module_f39+18@dnfopts']);
    expect((await set([...repo(), 'nodejs', '--module', 'nodejs:20'])).set).toEqual(['nodejs-20.10.0-1.module_f39+20@dnfopts']);
    expect((await resolve([...repo(), 'perl-stream'])).code).toBe(6);
    expect((await set([...repo(), 'perl-stream', '--module', 'perl:5.36'])).set).toEqual(['perl-stream-5.36.0-1.module_f39+536@dnfopts']);
    const typo = await resolve([...repo(), 'tool', '--module', 'nodej:18']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/RFS_USAGE.*no module nodej[\s\S]*did you mean nodejs\?/);
    const stream = await resolve([...repo(), 'tool', '--module', 'nodejs:19']);
    expect(stream.code).toBe(2);
    expect(stream.stderr).toMatch(/no stream 19[\s\S]*streams of nodejs: 18, 20/);
    const two = await resolve([...repo(), 'tool', '--module', 'nodejs:18', '--module', 'nodejs:20']);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('two streams of module nodejs');
    expect((await resolve([...repo(), 'tool', '--module', 'nodejs'])).code).toBe(2);
    const none = await resolve(['--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, 'bash', '--module', 'nodejs:18']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no enabled repo has module metadata');
  }, 120_000);

  it('--setopt repo keys: priority, enabled, excludepkgs, includepkgs (REPOID or a glob); mistakes are usage errors', async () => {
    const two = [...repo('a'), ...repo('b')];
    expect((await set([...two, 'tool', '--setopt', 'b.priority=1'])).set).toEqual(['tool-1.0-1@b']);
    expect((await set([...two, 'tool', '--setopt', 'a.priority=1'])).set).toEqual(['tool-1.0-1@a']);
    expect((await set([...two, 'tool', '--setopt', 'a.enabled=0'])).set).toEqual(['tool-1.0-1@b']);
    expect((await set([...two, 'tool', '--setopt', 'a.excludepkgs=to*'])).set).toEqual(['tool-1.0-1@b']);
    expect((await resolve([...two, 'tool', '--setopt', '*.excludepkgs=tool'])).code).toBe(6);
    expect((await set([...repo(), '--skip-broken', 'tool', 'clash', '--setopt', 'dnfopts.includepkgs=clash'])).set).toEqual(['clash-1.0-1@dnfopts']);
    // --disablerepo is applied after the setopts, as dnf does
    expect((await set([...two, 'tool', '--setopt', 'a.priority=1', '--disablerepo', 'a'])).set).toEqual(['tool-1.0-1@b']);
    const unknownRepo = await resolve([...repo(), 'tool', '--setopt', 'dnfopt.priority=1']);
    expect(unknownRepo.code).toBe(2);
    expect(unknownRepo.stderr).toMatch(/no repo dnfopt[\s\S]*did you mean dnfopts\?/);
    const unknownKey = await resolve([...repo(), 'tool', '--setopt', 'dnfopts.priorty=1']);
    expect(unknownKey.code).toBe(2);
    expect(unknownKey.stderr).toMatch(/did you mean priority\?[\s\S]*includepkgs/);
    const badValue = await resolve([...repo(), 'tool', '--setopt', 'dnfopts.priority=high']);
    expect(badValue.code).toBe(2);
    expect((await resolve([...repo(), 'tool', '--setopt', 'tsflags=justdb'])).stderr).toContain('supported tsflags: nodocs');
    expect((await resolve([...repo(), 'tool', '--setopt', 'noequals'])).code).toBe(2);
  }, 120_000);

  it('--setopt install_weak_deps wins over --weak-deps', async () => {
    const modern = ['--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, 'glibc'];
    const weak = await set([...modern, '--weak-deps']);
    expect(weak.set.some((p) => p.startsWith('glibc-langpack-'))).toBe(true);
    const off = await set([...modern, '--weak-deps', '--setopt', 'install_weak_deps=0']);
    expect(off.set.some((p) => p.startsWith('glibc-langpack-'))).toBe(false);
  }, 120_000);

  it('--setopt tsflags=nodocs leaves out %doc files as --nodocs does', async () => {
    const args = ['--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, 'zlib', '--gpgkey', FIXTURE_KEY, '--cache-dir', join(env.dir, 'cache'), '--format', 'dir', '-q'];
    const docs = await runCli([...args, '-o', join(env.dir, 'docs')]);
    expect(docs.code, docs.stderr).toBe(0);
    expect(existsSync(join(env.dir, 'docs/usr/share/doc/zlib/README'))).toBe(true);
    const nodocs = await runCli([...args, '-o', join(env.dir, 'nodocs'), '--setopt', 'tsflags=nodocs']);
    expect(nodocs.code, nodocs.stderr).toBe(0);
    expect(existsSync(join(env.dir, 'nodocs/usr/lib64/libz.so.1.2.13'))).toBe(true);
    expect(existsSync(join(env.dir, 'nodocs/usr/share/doc/zlib/README'))).toBe(false);
  }, 300_000);

  it('the build honours them too, the lockfile records them and --locked refuses other ones', async () => {
    const lock = join(env.dir, 'skip.lock.json');
    const args = [...repo(), 'tool', 'broken', 'nodejs', '--skip-broken', '--module', 'nodejs:20', '--setopt', 'dnfopts.cost=500',
      '--gpgkey', FIXTURE_KEY, '--cache-dir', join(env.dir, 'cache'), '--format', 'dir'];
    const b = await runCli([...args, '-o', join(env.dir, 'img1'), '--lockfile', lock, '-q']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/warning: skipping 'broken' \(--skip-broken\): nothing provides missing-dep/);
    const doc = JSON.parse(readFileSync(lock, 'utf8')) as { request: Record<string, unknown>; packages: Row[] };
    expect(doc.packages.map((p) => `${p.name}-${p.version}`).sort()).toEqual(['nodejs-20.10.0', 'tool-1.0']);
    expect(doc.request).toMatchObject({ best: true, skipBroken: true, modules: ['nodejs:20'], setopt: ['dnfopts.cost=500'] });
    const again = await runCli([...args, '-o', join(env.dir, 'img2'), '--locked', lock, '-q']);
    expect(again.code, again.stderr).toBe(0);
    const noSkip = await runCli([...args.filter((a) => a !== '--skip-broken'), '-o', join(env.dir, 'img3'), '--locked', lock, '-q']);
    expect(noSkip.code).toBe(2);
    expect(noSkip.stderr).toContain('--skip-broken: lock given, this build not given');
    const other = await runCli([...args.map((a) => (a === 'nodejs:20' ? 'nodejs:18' : a)), '--nobest', '-o', join(env.dir, 'img4'), '--locked', lock, '-q']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--module: lock nodejs:20, this build nodejs:18');
    expect(other.stderr).toContain('best: lock --best, this build --nobest');
  }, 300_000);

  // --dump-testcase writes --best as [forcebest] and --skip-broken as [weak]: libsolv's testsolv must agree
  it.skipIf(!have('testsolv')).each([
    [['--skip-broken', 'app', 'tool']], [['--skip-broken', 'clash', 'tool', 'broken']], [['--nobest', 'app']],
    [['--skip-broken', '--nobest', 'app', 'tool', 'broken']],
  ])('libsolv replays %j', async (args) => {
    const file = join(env.dir, 'case.t');
    await resolve([...repo(), ...args, '--dump-testcase', file]);
    expect(readFileSync(file, 'utf8')).toMatch(args.includes('--nobest') ? /^job install (?!.*forcebest)/m : /^job install .*\[forcebest/m);
    expect(execFileSync('testsolv', [file], { encoding: 'utf8' })).toBe('');
  });
  it.skipIf(!have('testsolv'))('libsolv finds --best app unsolvable too', async () => {
    const file = join(env.dir, 'best.t');
    await resolve([...repo(), '--best', 'app', '--dump-testcase', file]);
    expect(execFileSync('testsolv', [file], { encoding: 'utf8' })).toContain('nothing provides libfuture >= 2 needed by app-2.0-1.noarch');
  });

  describe.skipIf(!haveDnf)('the same answers as the host dnf', () => {
    /** dnf's install set (name-version-release), null when it finds none */
    function dnf(args: string[]): string[] | null {
      const cmd = [`--installroot=${join(env.dir, 'dnfroot')}`, '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(env.dir, 'dnfcache')}`,
        '--setopt=module_platform_id=platform:f39', '--releasever=39', '--nogpgcheck', `--repofrompath=dnfopts,file://${fixtureRepo('dnfopts')}`,
        '--disablerepo=*', '--enablerepo=dnfopts', '--assumeno', ...args];
      let out: string;
      try {
        out = execFileSync('dnf', cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (err) {
        out = (err as { stdout?: string }).stdout ?? '';
      }
      return parseDnfTable(out)?.map((p) => p.replace(/\.noarch$/, '')) ?? null;
    }
    const ours = async (args: string[]): Promise<string[] | null> => {
      const r = await resolve([...repo(), ...args, '--json']);
      if (r.code === 6) return null;
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Row[]).map((p) => `${p.name}-${p.version}-${p.release}`).sort();
    };
    // [what, arguments, whether dnf finds a set]
    it.each([
      ['--best', ['--best', 'app'], false],
      ['--nobest', ['--nobest', 'app'], true],
      ['--nobest then setopt best=1', ['--nobest', '--setopt=best=1', 'app'], false],
      ['--skip-broken', ['--skip-broken', 'broken', 'tool', 'nosuch', 'clash'], true],
      ['--skip-broken, conflict order', ['--skip-broken', 'clash', 'tool'], true],
      ['--best --skip-broken', ['--best', '--skip-broken', 'app', 'tool'], true],
      ['default module stream', ['nodejs'], true],
      ['strict=0', ['--setopt=strict=0', 'broken', 'tool'], true],
    ] as const)('%s', async (_what, args, solvable) => {
      const want = dnf(['install', ...args]);
      expect(want !== null).toBe(solvable);
      expect(await ours([...args])).toEqual(want);
    }, 120_000);
  });
});
