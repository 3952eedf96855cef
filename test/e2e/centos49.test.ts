// The thin path end to end: `rootfs-assemble centos:4.9 --mirror <local vault>` -> a tar that
// chroots, whose owners come from the image's passwd, with a hash-v8 rpmdb that rpm reads.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { assemble } from '../../src/index.js';
import { BIN, have, isRoot, listTar, rpmQuery, run, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e centos49] skipped: ${avail.reason}`);
const SDE = '1234567890';
const EXTRA = ['nscd', 'dbus', 'dev', 'openssh'];
// the fixture repos are signed with the fixture key, and the definition checks signatures
const KEY = ['--gpgkey', FIXTURE_KEY];

describe.skipIf(!avail.ok)('centos:4.9 from a local vault mirror', () => {
  const env = useFixtureMirror('rfs-e2e-', { keep: !!process.env.KEEP_E2E });
  let tar: string;
  let build: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    chmodSync(env.dir, 0o777);
    tar = join(env.dir, 'c49.tar');
    build = await runCli(['centos:4.9', ...KEY, ...EXTRA, '--mirror', env.mirror.url, '-o', tar, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: SDE });
  }, 600_000);

  it('builds', () => {
    expect(build.stderr).not.toMatch(/error/);
    expect(build.code).toBe(0);
    expect(existsSync(tar)).toBe(true);
  });

  it('maps owners through the image passwd/group, keeps setuid, caps, devices and hardlinks', () => {
    const m = listTar(tar);
    const passwd = execFileSync('tar', ['-xOf', tar, 'etc/passwd']).toString();
    const group = execFileSync('tar', ['-xOf', tar, 'etc/group']).toString();
    const uidOf = (n: string): number => Number(passwd.split('\n').find((l) => l.startsWith(`${n}:`))!.split(':')[2]);
    const gidOf = (n: string): number => Number(group.split('\n').find((l) => l.startsWith(`${n}:`))!.split(':')[2]);
    // nscd's %pre fixes uid/gid 28; dbus's %pre allocates a system id from login.defs
    expect(uidOf('nscd')).toBe(28);
    expect(m.get('/var/db/nscd/README')).toMatchObject({ uid: 28, gid: gidOf('nscd'), uname: 'nscd', mode: 0o644 });
    // %ghost files are owned in the rpmdb but not created
    expect(m.has('/var/db/nscd/passwd')).toBe(false);
    const dbus = uidOf('dbus');
    expect(dbus).toBeGreaterThan(0);
    expect(dbus).toBeLessThan(500);
    expect(m.get('/var/lib/dbus')).toMatchObject({ type: 'dir', uid: dbus, gid: gidOf('dbus') });
    expect(m.get('/bin/ping')).toMatchObject({ type: 'file', mode: 0o4755, uid: 0 });
    expect(m.get('/sbin/arping')!.xattrs['security.capability']).toBe('0100000200200000000000000000000000000000');
    expect(m.get('/dev/null')).toMatchObject({ type: 'char', devmajor: 1, devminor: 3, mode: 0o666 });
    expect(m.get('/dev/sda1')).toMatchObject({ type: 'block', devmajor: 8, devminor: 1, gname: 'disk' });
    expect(m.get('/dev/initctl')).toMatchObject({ type: 'fifo' });
    expect(m.get('/bin/gzip')).toMatchObject({ type: 'hardlink', linkname: 'bin/gunzip' });
    expect(m.get('/bin/sh')).toMatchObject({ type: 'symlink', linkname: 'bash' });
    // package files keep the package's mtimes (rpm -V stays clean); what we create gets SOURCE_DATE_EPOCH
    expect(m.get('/bin/bash')!.mtime).not.toBe(Number(SDE));
    expect(m.get('/var/lib/rpm/Packages')!.mtime).toBe(Number(SDE));
  });

  it('writes a BDB hash v8 rpmdb that rpm (bdb_ro) and db5.3_verify accept', () => {
    if (!have('rpm') || !have('db5.3_verify')) return console.warn('skipped: rpm/db5.3_verify not installed');
    const root = join(env.dir, 'db-root');
    execFileSync('mkdir', ['-p', root]);
    execFileSync('tar', ['-xf', tar, '-C', root, 'var/lib/rpm']);
    const pk = readFileSync(join(root, 'var/lib/rpm/Packages'));
    expect(pk.readUInt32LE(12)).toBe(0x061561); // hash magic
    expect(pk.readUInt32LE(16)).toBe(8); // hash version 8: CentOS 4's db-4.2 reads nothing newer
    for (const f of execFileSync('ls', [join(root, 'var/lib/rpm')]).toString().trim().split('\n')) {
      const r = spawnSync('db5.3_verify', [join(root, 'var/lib/rpm', f)]);
      expect(r.status, `${f}: ${r.stderr}`).toBe(0);
    }
    const qa = rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-qa', '--qf', '%{NAME}\n']).trim().split('\n').sort();
    for (const n of ['basesystem', 'bash', 'centos-release', 'coreutils', 'yum', 'rpm', 'nscd', 'dbus', 'dev']) expect(qa).toContain(n);
    expect(rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-qf', '/bin/bash', '--qf', '%{NAME}\n']).trim()).toBe('bash');
    expect(rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-q', '--whatprovides', '/bin/sh', '--qf', '%{NAME}\n']).trim()).toBe('bash');
  });

  it('chroots and runs /bin/sh -c "echo ok" (as root)', () => {
    if (!isRoot) return console.warn('skipped: chroot needs root');
    const root = join(env.dir, 'root');
    execFileSync('mkdir', ['-p', root]);
    execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-xpf', tar, '-C', root]);
    expect(execFileSync('chroot', [root, '/bin/sh', '-c', 'echo ok']).toString()).toBe('ok\n');
    expect(execFileSync('chroot', [root, '/bin/sh', '-c', 'stat -c %U:%G /var/db/nscd/README']).toString()).toBe('nscd:nscd\n');
    // rpm -V against the extracted tree: the package's files verify clean
    if (have('rpm')) {
      const v = spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--define', '_db_backend bdb_ro', '-V', '--nodeps', 'bash', 'coreutils', 'iputils', 'dev', 'nscd']);
      // (rpm 4.18 warns on stderr about indexes CentOS 4's rpm never had, e.g. Obsoletename)
      expect(v.stdout.toString()).toBe('');
      expect(v.status).toBe(0);
    }
  });

  it('is byte-identical across runs, --jobs values and users', async () => {
    const again = join(env.dir, 'again.tar');
    const r = await runCli(['centos:4.9', ...KEY, ...EXTRA, '--mirror', env.mirror.url, '-o', again, '--cache-dir', join(env.dir, 'cache'), '-q', '--jobs', '1'], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code).toBe(0);
    const a = readFileSync(tar);
    expect(readFileSync(again).equals(a), 'second run').toBe(true);
    const j8 = join(env.dir, 'j8.tar');
    expect((await runCli(['centos:4.9', ...KEY, ...EXTRA, '--mirror', env.mirror.url, '-o', j8, '--cache-dir', join(env.dir, 'cache2'), '-q', '-j', '8'], { SOURCE_DATE_EPOCH: SDE })).code).toBe(0);
    expect(readFileSync(j8).equals(a), '--jobs 8').toBe(true);
    if (isRoot && have('setpriv') && existsSync(BIN.replace('bin/rootfs-assemble.js', 'dist/cli/main.js'))) {
      // the built bin as root and as uid 65534 (nobody), run with node directly since npx needs a
      // writable checkout; async, since the mirror serves from this process
      const asUser = async (name: string, pre: string[]): Promise<Buffer> => {
        const out = join(env.dir, `${name}.tar`);
        const res = await run(pre[0] ?? process.execPath, [...pre.slice(1), ...(pre.length ? [process.execPath] : []), BIN,
          'centos:4.9', ...KEY, ...EXTRA, '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, `cache-${name}`), '-q'],
        { PATH: process.env.PATH, SOURCE_DATE_EPOCH: SDE, HOME: env.dir });
        expect(res.code, res.stderr).toBe(0);
        return readFileSync(out);
      };
      const asRoot = await asUser('bin-root', []);
      const asNobody = await asUser('bin-nobody', ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
      expect(asNobody.equals(asRoot), 'as uid 65534').toBe(true);
    }
  }, 300_000);

  it('runs under podman: import of the tar, load of the oci-archive; skopeo shows the config', async () => {
    if (!isRoot || !have('podman') || !have('skopeo')) return console.warn('skipped: podman/skopeo (as root) not available');
    const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
    const RUN = ['run', '--rm', '--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000'];
    const tag = `localhost/rfs-e2e-c49:${process.pid}`;
    const imp = await run('podman', [...P, 'import', tar, tag], process.env);
    expect(imp.code, imp.stderr).toBe(0);
    try {
      const r = await run('podman', [...P, ...RUN, tag, '/bin/sh', '-c', 'echo ok; id -u nscd'], process.env);
      expect(r.stdout).toBe('ok\n28\n');
    } finally {
      await run('podman', [...P, 'rmi', '-f', tag], process.env);
    }
    const oci = join(env.dir, 'c49-oci.tar');
    const b = await runCli(['centos:4.9', ...KEY, '--mirror', env.mirror.url, '--format', 'oci-archive', '-o', oci, '--cache-dir', join(env.dir, 'cache'), '-q', '--label', 'org.example.team=legacy'], { SOURCE_DATE_EPOCH: SDE });
    expect(b.code, b.stderr).toBe(0);
    const insp = await run('skopeo', ['inspect', '--config', `oci-archive:${oci}`], process.env);
    expect(insp.code, insp.stderr).toBe(0);
    const cfg = JSON.parse(insp.stdout) as { architecture: string; os: string; config: { Labels: Record<string, string>; Cmd: string[] } };
    expect(cfg).toMatchObject({ architecture: 'amd64', os: 'linux' });
    expect(cfg.config.Labels).toMatchObject({ name: 'centos', version: '4.9', 'org.example.team': 'legacy' });
    const load = await run('podman', [...P, 'load', '-i', oci], process.env);
    expect(load.code, load.stderr).toBe(0);
    const loaded = /Loaded image(?:\(s\))?: *(\S+)/.exec(load.stdout)?.[1];
    expect(loaded).toBeTruthy();
    try {
      const r = await run('podman', [...P, ...RUN, loaded!, '/bin/sh', '-c', 'echo ok'], process.env);
      expect(r.stdout).toBe('ok\n');
    } finally {
      await run('podman', [...P, 'rmi', '-f', loaded!], process.env);
    }
  }, 300_000);

  it('an abort (Ctrl-C) at any phase leaves no output file', async () => {
    for (const at of ['download', 'rpmdb', 'write'] as const) {
      const out = join(env.dir, `abort-${at}.tar`);
      const ac = new AbortController();
      const err = await assemble({
        distro: 'centos:4.9', gpgkeys: [FIXTURE_KEY], mirror: env.mirror.url, output: { path: out }, cacheDir: join(env.dir, 'cache'), signal: ac.signal,
        onEvent: (e) => { if (e.kind === 'phase:start' && e.phase === at) ac.abort(); },
      }).then(() => null, (e: unknown) => e);
      expect(err, at).toMatchObject({ code: 'RFS_ABORTED' });
      expect(existsSync(out), at).toBe(false);
    }
  });

  it('Ctrl-C on the CLI exits 130 and leaves no output file', async () => {
    if (!existsSync(BIN.replace('bin/rootfs-assemble.js', 'dist/cli/main.js'))) return console.warn('skipped: dist not built');
    const out = join(env.dir, 'sigint.tar');
    const child = spawn(process.execPath, [BIN, 'centos:4.9', ...KEY, ...EXTRA, '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache-sigint'), '--json-progress'],
      { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    let sent = false; // one Ctrl-C: a second one kills hard, as users expect
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (!sent && err.includes('"package:downloaded"')) sent = child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, err.split("\n").filter((l) => !l.startsWith("{")).join("\n")).toBe(130);
    expect(err).toMatch(/RFS_ABORTED/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('--nodocs and --install-langs leave files out and record them not installed, as rpm does', async () => {
    const out = join(env.dir, 'slim.tar');
    const r = await runCli(['centos:4.9', ...KEY, '--nodocs', '--install-langs', 'fr', '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code, r.stderr).toBe(0);
    const m = listTar(out);
    expect(m.has('/usr/share/doc/bash-3.0/README')).toBe(false);
    expect(m.has('/usr/share/locale/de/LC_MESSAGES/bash.mo')).toBe(false);
    expect(m.has('/usr/share/locale/fr/LC_MESSAGES/bash.mo')).toBe(true);
    expect(m.has('/bin/bash')).toBe(true);
    if (!have('rpm')) return;
    const root = join(env.dir, 'slim-root');
    execFileSync('mkdir', ['-p', root]);
    execFileSync('tar', ['-xf', out, '-C', root]);
    const states = rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-q', '--qf', '[%{FILESTATES:fstate} %{FILENAMES}\n]', 'bash']);
    expect(states).toMatch(/not installed \/usr\/share\/doc\/bash-3\.0\/README/);
    expect(states).toMatch(/not installed \/usr\/share\/locale\/de\/LC_MESSAGES\/bash\.mo/);
    expect(states).toMatch(/normal +\/usr\/share\/locale\/fr\/LC_MESSAGES\/bash\.mo/);
    // rpm -V skips files it knows were never installed
    const v = spawnSync('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--define', '_db_backend bdb_ro', '-V', '--nodeps', 'bash']);
    expect(v.stdout.toString()).toBe('');
  });

  it('--lockfile + --sbom, then --locked rebuilds exactly that set', async () => {
    const lock = join(env.dir, 'c49.lock.json');
    const sbom = join(env.dir, 'c49.spdx.json');
    const a = join(env.dir, 'lock-a.tar');
    const r = await runCli(['centos:4.9', ...KEY, '--mirror', env.mirror.url, '-o', a, '--lockfile', lock, '--sbom', sbom, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code, r.stderr).toBe(0);
    const locked = JSON.parse(readFileSync(lock, 'utf8')) as { packages: { name: string; url: string; checksum: { type: string } }[] };
    expect(locked.packages.map((p) => p.name)).toContain('bash');
    expect(locked.packages.every((p) => p.url.startsWith(env.mirror.url) && p.checksum.type === 'sha1')).toBe(true);
    const doc = JSON.parse(readFileSync(sbom, 'utf8')) as { spdxVersion: string; packages: { externalRefs?: { referenceLocator: string }[] }[] };
    expect(doc.spdxVersion).toBe('SPDX-2.3');
    const purls = doc.packages.flatMap((p) => p.externalRefs ?? []).map((x) => x.referenceLocator);
    expect(purls).toContain('pkg:rpm/centos/bash@3.0-21.el4?arch=x86_64&distro=centos-4.9');
    expect(purls.filter((u) => u.startsWith('pkg:rpm/')).length).toBe(locked.packages.length);
    // --locked takes the set as it is: extra names are refused, not silently ignored
    expect((await runCli(['centos:4.9', ...KEY, 'nscd', '--locked', lock, '--mirror', env.mirror.url, '-o', join(env.dir, 'x.tar'), '-q'])).code).toBe(2);
    const b = join(env.dir, 'lock-b.tar');
    const again = await runCli(['centos:4.9', ...KEY, '--locked', lock, '--mirror', env.mirror.url, '-o', b, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: SDE });
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(b).equals(readFileSync(a))).toBe(true);
  });

  it('rootfs-assemble build image.yaml: the spec holds the options, the command line overrides them', async () => {
    const spec = join(env.dir, 'image.yaml');
    writeFileSync(spec, [
      'distro: centos:4.9',
      `gpgkey: ["${FIXTURE_KEY}"]`,
      'packages: [nscd]',
      `mirror: "${env.mirror.url}"`,
      'label: [org.example.owner=legacy-team]',
      'user: ["ci:1500"]',
      'output: spec-out.tar',
      '',
    ].join('\n'));
    const out = join(env.dir, 'spec-cli.tar');
    const r = await runCli(['build', spec, 'dbus', '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: SDE });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(env.dir, 'spec-out.tar'))).toBe(false); // -o on the command line wins
    const passwd = execFileSync('tar', ['-xOf', out, 'etc/passwd']).toString();
    expect(passwd).toMatch(/^ci:x:1500:/m);
    expect(passwd).toMatch(/^nscd:x:28:/m); // from the spec's packages
    expect(passwd).toMatch(/^dbus:/m); // added on the command line
    const bad = join(env.dir, 'bad.yaml');
    writeFileSync(bad, 'distro: centos:4.9\noutput: a.tar\nformat: zip\n');
    const e = await runCli(['build', bad, '-q']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/bad\.yaml:3:9: format must be one of/);
  });

  it('fails cleanly: unreachable mirror, corrupt package; no partial output', async () => {
    const out = join(env.dir, 'fail.tar');
    const dead = await runCli(['centos:4.9', ...KEY, '--mirror', 'http://127.0.0.1:9/', '-o', out, '--cache-dir', join(env.dir, 'cache-dead'), '-q']);
    expect(dead.code).toBe(3);
    expect(dead.stderr).toMatch(/RFS_(FETCH_FAILED|NO_MIRROR)/);
    expect(existsSync(out)).toBe(false);
    env.mirror.fault(/bash-3\.0-21\.el4\.x86_64\.rpm$/, 'corrupt', 100);
    try {
      const bad = await runCli(['centos:4.9', ...KEY, '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache-bad'), '-q']);
      expect(bad.code).toBe(4);
      expect(bad.stderr).toMatch(/RFS_CHECKSUM_MISMATCH/);
      expect(bad.stderr).toMatch(/bash-3\.0-21\.el4\.x86_64\.rpm/);
      expect(existsSync(out)).toBe(false);
    } finally {
      env.mirror.clearFaults();
    }
    const unsolvable = await runCli(['centos:4.9', ...KEY, 'no-such-package', '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q']);
    expect(unsolvable.code).toBe(6);
    expect(unsolvable.stderr).toMatch(/no-such-package/);
    expect(existsSync(out)).toBe(false);
  }, 300_000);
});
