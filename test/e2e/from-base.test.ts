// --from: a base built by this tool from the "modern" fixture repo (sqlite rpmdb) and one from
// CentOS 4.9 (BDB hash v8), then packages of the "layers" repo installed on top. The derived
// image keeps the base's layers and adds one, with whiteouts for what an upgrade and an obsolete
// removed; its rpmdb stays in the base's format and holds both sets, as Debian's rpm reads it;
// podman runs it; dnf --installroot into a copy of the base installs the same set.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_KEY, fixturesAvailable } from '../helpers/fixtures.js';
import { dnfInRoot, have, isRoot, listTar, rpmQuery, run, runCli, useFixtureMirror } from './helpers.js';
import { readOciArchive } from './layers-read.js';
import { registryAvailable, startRegistry } from '../helpers/registry.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e from-base] skipped: ${avail.reason}`);
const SDE = { SOURCE_DATE_EPOCH: '1700000000' };
const podmanOk = isRoot && have('podman');
const P = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];
const LIMITS = ['--network', 'none', '--ulimit', 'nofile=10000:10000', '--ulimit', 'nproc=1000:1000'];
const BASE_PKGS = ['bash', 'coreutils-single', 'setup', 'filesystem', 'rpm', 'shadow-utils', 'fedora-release', 'old-tool-1.0-1', 'app-1.0'];
const ADDED = ['new-tool', 'app-2.0', 'svc'];

/** the tar extracted once into dir (tests may run alone) */
const extract = (tar: string, dir: string): string => {
  if (existsSync(dir)) return dir;
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xf', tar, '-C', dir, '--numeric-owner']);
  return dir;
};
const nevras = (root: string, dbpath: string, backend: 'bdb_ro' | 'sqlite'): string[] => {
  const copy = `${root}-q`;
  execFileSync('cp', ['-a', root, copy]);
  return rpmQuery(copy, dbpath, backend, ['-qa', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\n']).trim().split('\n').filter((l) => !l.startsWith('gpg-pubkey')).sort();
};

describe.skipIf(!avail.ok)('--from a base image', () => {
  const env = useFixtureMirror('rfs-from-');
  const out = (name: string): string => join(env.dir, name);
  const repos = (): string[] => ['--repofrompath', `modern,${env.mirror.repoUrl('modern')}`, '--repofrompath', `layers,${env.mirror.repoUrl('layers')}`];
  const build = (args: string[]) => runCli([...repos(), '--gpgkey', FIXTURE_KEY, '--cache-dir', out('cache'), '-q', ...args], SDE);
  const ok = async (args: string[]): Promise<string> => {
    const r = await build(args);
    if (r.code !== 0) throw new Error(`build ${args.join(' ')}: ${r.stderr}`);
    return r.stderr;
  };

  beforeAll(async () => {
    await ok([...BASE_PKGS, '--format', 'oci-archive', '-o', out('base.tar')]);
    await ok([...BASE_PKGS, '-o', out('base-flat.tar')]);
    await ok(['--from', `oci-archive:${out('base.tar')}`, ...ADDED, '--format', 'oci-archive', '-o', out('derived.tar')]);
    await ok(['--from', `oci-archive:${out('base.tar')}`, ...ADDED, '-o', out('derived-flat.tar'), '--sbom', out('derived.spdx.json')]);
  }, 600_000);

  it('keeps the base layers and adds one, with whiteouts for what the upgrade and the obsolete removed', () => {
    const base = readOciArchive(out('base.tar'));
    const derived = readOciArchive(out('derived.tar'));
    expect(derived.length).toBe(base.length + 1);
    expect(derived.slice(0, base.length).map((l) => [l.digest, l.diffId])).toEqual(base.map((l) => [l.digest, l.diffId]));
    const top = new Map(derived[derived.length - 1]!.members);
    // old-tool (obsoleted by new-tool) goes as one directory and its unchanged %config file; app-1.0's v1-only as one file
    expect(top.has('usr/share/.wh.old-tool')).toBe(true);
    expect(top.has('usr/share/app/.wh.v1-only')).toBe(true);
    expect([...top.keys()].filter((k) => k.includes('.wh.')).sort()).toEqual(['etc/.wh.old-tool.conf', 'usr/share/.wh.old-tool', 'usr/share/app/.wh.v1-only']);
    expect(top.get('usr/share/new-tool/readme')?.type).toBe('file');
    expect(top.get('usr/share/app/v2-only')?.type).toBe('file');
    // untouched base files are not written again
    expect(top.has('usr/bin/bash')).toBe(false);
    expect(derived[derived.length - 1]!.comment).toMatch(/^rpm install: .*new-tool-2\.0-1\.noarch/);
  });

  it('writes one rpmdb in the base\'s format with the base\'s packages and the new ones, as rpm reads it', () => {
    const baseRoot = extract(out('base-flat.tar'), out('base-root'));
    const root = extract(out('derived-flat.tar'), out('derived-root'));
    expect(existsSync(join(root, 'var/lib/rpm/rpmdb.sqlite'))).toBe(true);
    const before = nevras(baseRoot, '/var/lib/rpm', 'sqlite');
    const after = nevras(root, '/var/lib/rpm', 'sqlite');
    const expected = [...before.filter((n) => !n.startsWith('old-tool-') && !n.startsWith('app-')), 'new-tool-2.0-1', 'app-2.0-1', 'svc-1.0-1'].sort();
    expect(after).toEqual(expected);
    // the base's users stay; svc's %pre added its account after them
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
    expect(passwd.startsWith(readFileSync(join(baseRoot, 'etc/passwd'), 'utf8'))).toBe(true);
    expect(passwd).toMatch(/^svc:x:\d+:\d+:svc daemon:\/var\/lib\/svc:\/sbin\/nologin$/m);
    // app's %post ran as an upgrade ($1 = 2)
    expect(readFileSync(join(root, 'var/log/app-scriptlets'), 'utf8')).toBe('app 2\n');
    expect(existsSync(join(root, 'usr/share/old-tool'))).toBe(false);
    expect(readFileSync(join(root, 'usr/share/app/common'), 'utf8')).toBe('common v2\n');
  });

  it('the SBOM lists the base\'s packages that stay and the new ones', () => {
    const doc = JSON.parse(readFileSync(out('derived.spdx.json'), 'utf8')) as { packages: { name: string; versionInfo?: string }[] };
    const names = doc.packages.map((p) => p.name);
    for (const n of ['bash', 'rpm', 'new-tool', 'svc', 'app']) expect(names).toContain(n);
    expect(names).not.toContain('old-tool');
    expect(doc.packages.filter((p) => p.name === 'app').map((p) => p.versionInfo)).toEqual(['2.0-1']);
  });

  it('is byte-identical when built again', async () => {
    await ok(['--from', `oci-archive:${out('base.tar')}`, ...ADDED, '--format', 'oci-archive', '-o', out('derived-again.tar'), '-j', '1']);
    expect(readFileSync(out('derived-again.tar')).equals(readFileSync(out('derived.tar')))).toBe(true);
  });

  it('reads a plain rootfs tar as the base, and a request the base already meets installs nothing', async () => {
    const r = await build(['--from', out('base-flat.tar'), 'bash', '--format', 'oci-archive', '-o', out('noop.tar'), '--json-progress']);
    expect(r.code, r.stderr).toBe(0);
    const layers = readOciArchive(out('noop.tar'));
    expect(layers.length).toBe(2);
    expect(layers[1]!.comment).toBe('rpm: nothing to install');
  });

  it.skipIf(!registryAvailable().ok)('pulls the base from a registry (docker://) and pushes the derived image back', async () => {
    const reg = await startRegistry(out('registry'));
    try {
      let r = await build([...BASE_PKGS, '--push', `${reg.host}/base:1`, '--tls-verify=false']);
      expect(r.code, r.stderr).toBe(0);
      r = await build(['--from', `docker://${reg.host}/base:1`, '--tls-verify=false', ...ADDED, '--push', `${reg.host}/derived:1`]);
      expect(r.code, r.stderr).toBe(0);
      // the registry served the base's layers and the push sent only the new layer and config
      const puts = reg.requests().filter((q) => q.method === 'PUT' && q.uri.includes('/derived/blobs/uploads/'));
      expect(puts.length).toBe(2);
      r = await build(['--from', `docker://${reg.host}/derived:1`, '--tls-verify=false', '--format', 'oci-archive', '-o', out('from-registry.tar'), 'svc']);
      expect(r.code, r.stderr).toBe(0);
      // svc is already there: nothing installed, the derived image's layers plus an empty-ish one
      expect(readOciArchive(out('from-registry.tar')).pop()!.comment).toBe('rpm: nothing to install');
    } finally {
      await reg.close();
    }
  }, 300_000);

  it('refuses a package whose file conflicts with an installed package\'s, leaving no output', async () => {
    const r = await build(['--from', `oci-archive:${out('base.tar')}`, 'conflicts-base', '-o', out('conflict.tar')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/\/etc\/os-release conflicts with file from package fedora-release/);
    expect(existsSync(out('conflict.tar'))).toBe(false);
  });

  it('update: every available update as one layer, with the advisories that ship each; --security only those', async () => {
    const upd = (args: string[]) => runCli(['update', `oci-archive:${out('base.tar')}`, ...repos(), '--gpgkey', FIXTURE_KEY, '--cache-dir', out('cache'), ...args], SDE);
    let r = await upd(['--format', 'oci-archive', '-o', out('updated.tar')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Upgraded app-1.0-1.noarch -> app-2.0-1.noarch [FEDORA-2023-0001 security Important]');
    expect(r.stderr).toContain('Replaced old-tool-1.0-1.noarch -> new-tool-2.0-1.noarch [FEDORA-2023-0002 bugfix]');
    const top = readOciArchive(out('updated.tar')).pop()!;
    expect(top.members.map(([n]) => n)).toContain('usr/share/.wh.old-tool');
    r = await upd(['--security', '-o', out('updated-sec.tar'), '--json-progress']);
    expect(r.code, r.stderr).toBe(0);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; changes?: unknown[] });
    expect(events.find((e) => e.kind === 'base:changes')?.changes).toEqual([
      { kind: 'upgrade', from: 'app-1.0-1.noarch', to: 'app-2.0-1.noarch', advisories: [{ id: 'FEDORA-2023-0001', type: 'security', severity: 'Important' }] },
    ]);
    const names = nevras(extract(out('updated-sec.tar'), out('updated-sec-root')), '/var/lib/rpm', 'sqlite');
    expect(names).toContain('old-tool-1.0-1');
    expect(names).toContain('app-2.0-1');
  });

  it.skipIf(!podmanOk)('podman runs the derived image: removed files are gone, new ones there', async () => {
    const load = await run('podman', [...P, 'load', '-i', out('derived.tar')], process.env);
    expect(load.code, load.stderr).toBe(0);
    const image = /Loaded image(?:\(s\))?: (\S+)/.exec(load.stdout)?.[1] ?? '';
    try {
      const ran = await run('podman', [...P, 'run', '--rm', ...LIMITS, image, '/bin/sh', '-c',
        'ls /usr/share/old-tool 2>&1; cat /usr/share/app/common; ls /usr/share/app; id svc'], process.env);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stdout).toMatch(/No such file or directory/);
      expect(ran.stdout).toContain('common v2');
      expect(ran.stdout).not.toContain('v1-only');
      expect(ran.stdout).toMatch(/uid=\d+\(svc\)/);
    } finally {
      await run('podman', [...P, 'rmi', '-f', image], process.env);
    }
  }, 300_000);

  it.skipIf(!isRoot || !have('dnf'))('installs the set dnf --installroot installs into a copy of the base', async () => {
    const root = extract(out('base-flat.tar'), out('dnf-root'));
    const r = await dnfInRoot(root, ['install', ...ADDED], { cache: out('dnf-cache') });
    expect(r.code, r.stderr).toBe(0);
    const ours = nevras(extract(out('derived-flat.tar'), out('derived-root')), '/var/lib/rpm', 'sqlite');
    expect(nevras(root, '/var/lib/rpm', 'sqlite')).toEqual(ours);
  }, 300_000);

  // the image changed three %config files; the transaction replaces or removes their packages
  it('changed %config files follow rpm\'s rules (.rpmnew, kept, .rpmsave), as dnf leaves them', async () => {
    const mine = out('mine');
    mkdirSync(mine, { recursive: true });
    for (const [f, text] of [['app.conf', 'setting=mine\n'], ['app-defaults.conf', 'defaults=mine\n'], ['old-tool.conf', 'old=mine\n']]) writeFileSync(join(mine, f!), text!);
    const adds = ['app.conf', 'app-defaults.conf', 'old-tool.conf'].flatMap((f) => ['--add-file', `${join(mine, f)}:/etc/${f}`]);
    await ok([...BASE_PKGS, ...adds, '-o', out('base-mod.tar')]);
    const r = await build(['--from', out('base-mod.tar'), ...ADDED, '-o', out('derived-mod.tar'), '--json-progress']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('/etc/app.conf created as /etc/app.conf.rpmnew');
    expect(r.stderr).toContain('/etc/old-tool.conf saved as /etc/old-tool.conf.rpmsave');
    const configs = (root: string): Record<string, string> => Object.fromEntries(
      readdirSync(join(root, 'etc')).filter((n) => /^(app|old-tool)/.test(n)).sort().map((n) => [n, readFileSync(join(root, 'etc', n), 'utf8')]));
    const ours = configs(extract(out('derived-mod.tar'), out('derived-mod-root')));
    expect(ours).toEqual({
      'app-defaults.conf': 'defaults=mine\n', // the package did not change it: the image's stays
      'app.conf': 'setting=mine\n', // noreplace, changed by both: the image's stays ...
      'app.conf.rpmnew': 'setting=1\nfeature=on\n', // ... and the package's goes beside it
      'old-tool.conf.rpmsave': 'old=mine\n', // its package is gone: saved
    });
    if (isRoot && have('dnf')) {
      const root = extract(out('base-mod.tar'), out('dnf-mod'));
      const d = await dnfInRoot(root, ['install', ...ADDED], { cache: out('dnf-cache-mod') });
      expect(d.code, d.stderr).toBe(0);
      expect(configs(root)).toEqual(ours);
    }
  }, 300_000);

  // files of the base that no package owns: rpm writes over them, except a differing %config one
  it('a file no package owns is written over; an unowned changed %config(noreplace) stays, the package\'s as .rpmnew', async () => {
    const mine = out('mine-unowned');
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, 'app.conf'), 'setting=mine\n');
    writeFileSync(join(mine, 'common'), 'not from a package\n');
    const adds = ['--add-file', `${join(mine, 'app.conf')}:/etc/app.conf`, '--add-file', `${join(mine, 'common')}:/usr/share/app/common`];
    await ok([...BASE_PKGS.filter((p) => !p.startsWith('app')), ...adds, '-o', out('base-unowned.tar')]);
    const r = await build(['--from', out('base-unowned.tar'), 'app-1.0', '-o', out('derived-unowned.tar'), '--json-progress']);
    expect(r.code, r.stderr).toBe(0);
    const files = (root: string): Record<string, string> => Object.fromEntries(['etc/app.conf', 'etc/app.conf.rpmnew', 'etc/app.conf.rpmorig', 'usr/share/app/common']
      .filter((f) => existsSync(join(root, f))).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
    const ours = files(extract(out('derived-unowned.tar'), out('derived-unowned-root')));
    expect(ours).toEqual({ 'etc/app.conf': 'setting=mine\n', 'etc/app.conf.rpmnew': 'setting=1\n', 'usr/share/app/common': 'common v1\n' });
    if (isRoot && have('dnf')) {
      const root = extract(out('base-unowned.tar'), out('dnf-unowned'));
      const d = await dnfInRoot(root, ['install', 'app-1.0'], { cache: out('dnf-cache-unowned') });
      expect(d.code, d.stderr).toBe(0);
      expect(files(root)).toEqual(ours);
    }
  }, 300_000);

  // dnf install NAME with an older NAME installed: best=True moves it to the newest, best=False
  // leaves it ("already installed"); libsolv's forcebest does the same
  it.skipIf(!isRoot || !have('dnf'))('install of an installed older name: as dnf with best=True and best=False', async () => {
    for (const best of [true, false]) {
      const root = extract(out('base-flat.tar'), out(`dnf-best-${best}`));
      const d = await dnfInRoot(root, [`--setopt=best=${best ? 'True' : 'False'}`, 'install', 'app'], { cache: out(`dnf-cache-best-${best}`) });
      expect(d.code, d.stderr).toBe(0);
      const r = await build(['--from', out('base-flat.tar'), best ? '--best' : '--nobest', 'app', '-o', out(`ours-best-${best}.tar`)]);
      expect(r.code, r.stderr).toBe(0);
      const ours = nevras(extract(out(`ours-best-${best}.tar`), out(`ours-best-${best}-root`)), '/var/lib/rpm', 'sqlite');
      expect(ours).toContain(best ? 'app-2.0-1' : 'app-1.0-1');
      expect(ours).toEqual(nevras(root, '/var/lib/rpm', 'sqlite'));
    }
  }, 300_000);

  it.skipIf(!isRoot || !have('dnf'))('update gives the set dnf upgrade (and upgrade --security) gives in a copy of the base', async () => {
    for (const [name, extra] of [['all', []], ['sec', ['--security']]] as const) {
      const root = extract(out('base-flat.tar'), out(`dnf-upgrade-${name}`));
      const d = await dnfInRoot(root, ['upgrade', ...extra], { cache: out(`dnf-cache-${name}`) });
      expect(d.code, d.stderr).toBe(0);
      const r = await runCli(['update', out('base-flat.tar'), ...repos(), '--gpgkey', FIXTURE_KEY, '--cache-dir', out('cache'), '-q', ...extra, '-o', out(`ours-${name}.tar`)], SDE);
      expect(r.code, r.stderr).toBe(0);
      expect(nevras(extract(out(`ours-${name}.tar`), out(`ours-${name}-root`)), '/var/lib/rpm', 'sqlite')).toEqual(nevras(root, '/var/lib/rpm', 'sqlite'));
    }
  }, 300_000);
});

describe.skipIf(!avail.ok)('--from a CentOS 4.9 base (BDB hash v8)', () => {
  const env = useFixtureMirror('rfs-from4-');
  const out = (name: string): string => join(env.dir, name);
  const c4 = (args: string[]) => runCli(['centos:4.9', '--mirror', env.mirror.url, '--gpgkey', FIXTURE_KEY, '--cache-dir', out('cache'), '-q', ...args], SDE);

  it('keeps the rpmdb v8 and adds the new package to it', async () => {
    let r = await c4(['--disablerepo', 'updates', '--format', 'docker-archive', '-o', out('c4.tar')]);
    expect(r.code, r.stderr).toBe(0);
    r = await c4(['--from', `docker-archive:${out('c4.tar')}`, 'python-urlgrabber', '-o', out('c4-derived.tar')]);
    expect(r.code, r.stderr).toBe(0);
    const m = listTar(out('c4-derived.tar'));
    expect(m.has('/var/lib/rpm/Packages')).toBe(true);
    const root = extract(out('c4-derived.tar'), out('c4-root'));
    // hash metadata version at offset 16: 8 as CentOS 4's libdb 4.2 writes it
    expect(readFileSync(join(root, 'var/lib/rpm/Packages')).readUInt32LE(16)).toBe(8);
    const names = nevras(root, '/var/lib/rpm', 'bdb_ro');
    expect(names.some((n) => n.startsWith('python-urlgrabber-2.9.8'))).toBe(true);
    expect(names.some((n) => n.startsWith('bash-3.0-'))).toBe(true);
  }, 600_000);
});
