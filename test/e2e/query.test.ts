// The query commands through the real CLI against the fixture repos on 127.0.0.1, compared with
// the host's dnf 4 on the same repo where it is installed; download checked with rpm -K and
// the fixture files themselves.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoquery } from '../../src/index.js';
import { FIXTURE_KEY, fixturePackage, fixturesAvailable, type FixtureRepoName } from '../helpers/fixtures.js';
import { have, run, runCli, useFixtureMirror } from './helpers.js';
import { matchOrderFree } from './query-output.js';
import { hostRpm } from '../helpers/host-rpm.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e query] skipped: ${avail.reason}`);
const DNF = have('dnf');
if (avail.ok && !DNF) console.warn('[e2e query] dnf not installed: the comparisons with dnf are skipped');

describe.skipIf(!avail.ok)('query commands', () => {
  const env = useFixtureMirror('rfs-query-');
  const repo = (name: FixtureRepoName): string[] => ['--repofrompath', `m,${env.mirror.repoUrl(name)}`, '--cache-dir', join(env.dir, 'cache')];

  async function ours(cmd: string, args: string[], name: FixtureRepoName = 'modern'): Promise<{ code: number; stdout: string; stderr: string }> {
    return runCli([cmd, ...repo(name), ...args]);
  }
  async function dnf(cmd: string, args: string[], name: FixtureRepoName = 'modern'): Promise<{ code: number; stdout: string; stderr: string }> {
    const root = mkdtempSync(join(env.dir, 'dnfroot-'));
    return run('dnf', ['-q', '--releasever=39', `--repofrompath=m,${env.mirror.repoUrl(name)}`, '--repo=m', `--installroot=${root}`,
      '--setopt=reposdir=/dev/null', `--setopt=cachedir=${join(root, 'cache')}`, cmd, ...args], { ...process.env, LC_ALL: 'C.UTF-8' });
  }

  const REPOQUERIES: string[][] = [
    [],
    ['--qf', '%{name}|%{arch}|%{repoid}|%{evr}|%{sourcerpm}|%{installsize}|%{size}|%{license}|%{buildtime}|%{source_name}'],
    ['--qf', '%-20{name}%8{arch}|', 'bash', 'glibc*'],
    ['--whatprovides', 'libc.so.6*'],
    ['--whatprovides', 'glibc >= 2.30'],
    ['--whatprovides', '/usr/bin/bash'],
    ['--requires', 'coreutils', 'glibc'],
    ['--provides', 'bash'],
    ['--whatrequires', 'glibc'],
    ['--latest-limit', '1', 'kernel'],
    ['--arch', 'i686'],
    ['no-such-package'],
  ];
  for (const args of REPOQUERIES) {
    it.skipIf(!DNF)(`repoquery ${args.join(' ') || '(all)'} prints what dnf prints`, async () => {
      const [a, b] = [await ours('repoquery', args), await dnf('repoquery', args)];
      expect(a.stderr).toBe('');
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    }, 120_000);
  }

  // older metadata (CentOS 4 and 7 createrepo output); rpm-libs on el4 requires /sbin/ldconfig, a glibc file
  for (const name of ['el4-os', 'el7-os'] as const) {
    for (const args of [[], ['--requires', 'bash', 'rpm-libs'], ['--whatrequires', 'glibc'], ['--whatprovides', '/bin/sh'], ['--provides', 'glibc']]) {
      it.skipIf(!DNF)(`${name}: repoquery ${args.join(' ') || '(all)'} prints what dnf prints`, async () => {
        const [a, b] = [await ours('repoquery', args, name), await dnf('repoquery', args, name)];
        expect(a).toMatchObject({ code: 0, stderr: '' });
        expect(b.code).toBe(0);
        expect(a.stdout).toBe(b.stdout);
      }, 120_000);
    }
  }

  it('repoquery output is non-trivial (so the dnf comparison means something)', async () => {
    const all = (await ours('repoquery', [])).stdout.trim().split('\n');
    expect(all).toContain('bash-0:5.2.21-1.fc39.x86_64');
    expect(all).toContain('kernel-0:6.5.6-300.fc39.x86_64');
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual(all);
    const req = (await ours('repoquery', ['--requires', 'bash'])).stdout;
    expect(req).toBe('filesystem >= 3\nlibc.so.6()(64bit)\nlibtinfo.so.6()(64bit)\n');
  }, 120_000);

  for (const [cmd, args] of [['info', ['bash', 'glibc']], ['search', ['bash']], ['provides', ['/bin/bash', 'libc.so.6()(64bit)']], ['provides', ['bash']]] as const) {
    it.skipIf(!DNF)(`${cmd} ${args.join(' ')} prints what dnf prints`, async () => {
      const [a, b] = [await ours(cmd, [...args]), await dnf(cmd, [...args])];
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      // the metadata this tool reads has no descriptions: dnf's Description lines are left out
      expect(matchOrderFree(a.stdout)).toBe(matchOrderFree(b.stdout.split('\n').filter((l) => !l.startsWith('Description  :')).join('\n')));
    }, 120_000);
  }

  it('no match: info and provides exit 1 with dnf\'s error, search says so and exits 0, repoquery prints nothing', async () => {
    const info = await ours('info', ['no-such-package']);
    expect(info).toMatchObject({ code: 1, stdout: '', stderr: 'Error: No matching Packages to list\n' });
    const prov = await ours('provides', ['no-such-thing']);
    expect(prov.code).toBe(1);
    expect(prov.stderr).toContain('Error: No matches found.');
    expect(await ours('search', ['zzzz-nothing'])).toMatchObject({ code: 0, stdout: '', stderr: 'No matches found.\n' });
    expect(await ours('repoquery', ['no-such-package'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  }, 120_000);

  it('usage errors are exit 2 and name the word, before any download', async () => {
    const before = env.mirror.requests.length;
    const tag = await ours('repoquery', ['--qf', '%{nmae}']);
    expect(tag.code).toBe(2);
    expect(tag.stderr).toContain('RFS_USAGE');
    expect(tag.stderr).toContain('%{nmae}');
    expect(tag.stderr).toContain('did you mean name?');
    const url = await ours('repoquery', ['--qf', '%{url}']);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain('not available');
    expect((await ours('repoquery', ['--latest-limit', 'x'])).code).toBe(2);
    expect((await ours('repoquery', ['--requires', '--provides'])).code).toBe(2);
    const typo = await ours('repoquery', ['--whatprovide', 'x']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('did you mean --whatprovides?');
    expect((await ours('search', [])).code).toBe(2);
    expect((await ours('download', [])).code).toBe(2);
    expect((await runCli(['serach', 'bash'])).stderr).toContain('did you mean search?');
    expect(env.mirror.requests.length).toBe(before);
  }, 120_000);

  it('download writes the packages, verified, under their file names', async () => {
    const dest = join(env.dir, 'dl');
    const r = await ours('download', ['bash', 'glibc', '--destdir', dest, '--gpgkey', FIXTURE_KEY]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = readdirSync(dest).sort();
    expect(files).toEqual(['bash-5.2.21-1.fc39.x86_64.rpm', 'glibc-2.38-16.fc39.i686.rpm', 'glibc-2.38-16.fc39.x86_64.rpm']);
    const sha = (f: string): string => createHash('sha256').update(readFileSync(f)).digest('hex');
    expect(sha(join(dest, files[0]!))).toBe(sha(fixturePackage('modern', 'bash')));
    const k = hostRpm(['-K', '--nosignature', ...files.map((f) => join(dest, f))], { ...process.env, HOME: '/nonexistent' });
    expect(k.trim().split('\n')).toHaveLength(3);
    for (const line of k.trim().split('\n')) expect(line).toMatch(/: digests OK$/);
    // without a key the --repofrompath repo is unchecked, and each package says so
    const un = await ours('download', ['bash', '--destdir', join(env.dir, 'dl-unverified')]);
    expect(un.code).toBe(0);
    expect(un.stderr).toContain('bash-5.2.21-1.fc39.x86_64 from repo m is not signature-verified');
  }, 120_000);

  it('download --resolve also fetches what an install on an empty system needs (resolve\'s set)', async () => {
    const dest = join(env.dir, 'dl-resolve');
    const r = await ours('download', ['bash', '--resolve', '--destdir', dest, '--nogpgcheck']);
    expect(r.code).toBe(0);
    const rows = JSON.parse((await ours('resolve', ['bash', '--json'])).stdout) as { name: string; version: string; release: string; arch: string }[];
    expect(readdirSync(dest).sort()).toEqual(rows.map((p) => `${p.name}-${p.version}-${p.release}.${p.arch}.rpm`).sort());
    expect(rows.length).toBeGreaterThan(3);
  }, 120_000);

  it('a tampered package is a checksum error and leaves no file', async () => {
    const dest = join(env.dir, 'dl-bad');
    mkdirSync(dest);
    env.mirror.fault(/Packages\/b\/bash-5\.2\.21-1\.fc39\.x86_64\.rpm$/, 'corrupt', 100);
    try {
      const r = await runCli(['download', '--repofrompath', `m,${env.mirror.repoUrl('modern')}`, '--cache-dir', join(env.dir, 'cache-bad'), 'bash', '--destdir', dest, '--nogpgcheck']);
      expect(r.code).toBe(4);
      expect(r.stderr).toContain('RFS_CHECKSUM_MISMATCH');
      expect(readdirSync(dest)).toEqual([]);
    } finally {
      env.mirror.clearFaults();
    }
  }, 120_000);

  it('the library call returns data', async () => {
    const r = await repoquery({ repofrompath: [['m', env.mirror.repoUrl('modern')]], cacheDir: join(env.dir, 'cache'), packages: ['glibc'], depList: 'provides' });
    expect(r.packages.map((p) => `${p.nevra}@${p.repo}`)).toEqual(['glibc-2.38-16.fc39.i686@m', 'glibc-2.38-16.fc39.x86_64@m']);
    expect(r.packages[1]!.requires.length).toBeGreaterThan(0);
    expect(r.deps).toContain('libc.so.6()(64bit)');
  }, 120_000);
});
