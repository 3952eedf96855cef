// File triggers, emulated vs. run by rpm: a small repo whose packages carry %filetriggerin
// (high and low priority) and %transfiletriggerin scriptlets that log their arguments and
// standard input, installed by `dnf --installroot` (as root, rpm runs them in a chroot with
// static busybox as /bin/sh) and by our emulation. An earlier package already has files under
// the prefixes, so a trigger also fires on what is in the rpmdb when its package goes in, reading the same .rpm headers with our
// reader. The logs must be identical: same triggers, same order around %post/%posttrans,
// same $1, same matched paths.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageTree } from '../../src/assemble/tree.js';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import type { ScriptletPackage } from '../../src/scriptlets/index.js';
import { openRpm } from '../../src/rpm/index.js';

const SDE = 1_700_000_000;
const have = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const why = process.getuid?.() !== 0 ? 'needs root (dnf --installroot runs scriptlets in a chroot)'
  : !have('dnf') ? 'dnf not installed' : !have('rpmbuild') || !have('createrepo_c') ? 'rpmbuild/createrepo_c not installed'
  : !existsSync('/bin/busybox') ? 'busybox-static missing' : '';
if (why) console.warn(`skipping the file-trigger comparison with dnf: ${why}`);

const LOG = (tag: string) => `echo "${tag} $#:$*" >> /var/log/ft\ncat >> /var/log/ft`;
const SPECS: Record<string, string> = {
  'ft-base': `Provides: /bin/sh
%description
base
%install
mkdir -p %{buildroot}/var/log %{buildroot}/usr/lib/ftdemo %{buildroot}/usr/share/ftdemo
echo early > %{buildroot}/usr/lib/ftdemo/early.so
echo early > %{buildroot}/usr/share/ftdemo/early
%files
%dir /var/log
/usr/lib/ftdemo/early.so
/usr/share/ftdemo/early
`,
  'ft-owner': `Requires(pre): ft-base
%description
owner
%install
mkdir -p %{buildroot}/usr/lib/ftdemo
echo a > %{buildroot}/usr/lib/ftdemo/a.so
%post
echo "post-owner $#:$*" >> /var/log/ft
%posttrans
echo "posttrans-owner" >> /var/log/ft
%filetriggerin -P 20000 -- /usr/lib/ftdemo
${LOG('hi')}
%filetriggerin -P 500 -- /usr/share/ftdemo
${LOG('lo')}
%filetriggerun -- /usr
echo never >> /var/log/ft
%transfiletriggerin -P 5 -- /usr/lib /usr/lib/ftdemo
${LOG('trans-lo')}
%transfiletriggerin -P 2000000 -- /usr/share/ftdemo
while read f; do echo "seen $f"; done >> /var/log/ft
%transfiletriggerin -- /nowhere
echo never >> /var/log/ft
%files
/usr/lib/ftdemo/a.so
`,
  'ft-later': `Requires(pre): ft-owner
%description
later
%install
mkdir -p %{buildroot}/usr/lib/ftdemo %{buildroot}/usr/share/ftdemo
echo b > %{buildroot}/usr/lib/ftdemo/b.so
echo x > %{buildroot}/usr/share/ftdemo/x
%post
echo "post-later" >> /var/log/ft
%files
/usr/lib/ftdemo/b.so
/usr/share/ftdemo/x
`,
};

describe.skipIf(why !== '')('file triggers: emulation vs dnf --installroot', () => {
  let work = '';
  const tree = new ImageTree(SDE);
  let ours = '';
  let theirs = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'rfs-dnfft-'));
    const repo = join(work, 'repo');
    mkdirSync(repo, { recursive: true });
    for (const [name, body] of Object.entries(SPECS)) {
      const f = join(work, `${name}.spec`);
      writeFileSync(f, `Name: ${name}\nVersion: 1\nRelease: 1\nSummary: ${name}\nLicense: MIT\nBuildArch: noarch\n${body}`);
      execFileSync('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${join(work, 'rpmbuild')}`, '--define', `_rpmdir ${repo}`, '--define', '_build_name_fmt %%{NAME}.rpm', f], { stdio: 'pipe' });
    }
    execFileSync('createrepo_c', ['--quiet', repo]);
    const root = join(work, 'root');
    mkdirSync(join(root, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
    for (const a of ['sh', 'cat']) symlinkSync('busybox', join(root, 'bin', a));
    const r = spawnSync('dnf', ['-y', '-q', `--installroot=${root}`, '--releasever=9', '--disablerepo=*', `--repofrompath=ft,file://${repo}`, '--enablerepo=ft',
      '--nogpgcheck', '--setopt=install_weak_deps=False', `--setopt=cachedir=${join(work, 'cache')}`, '--setopt=reposdir=/nonexistent', 'install', 'ft-later'],
    { encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`dnf failed: ${r.stderr}`);
    theirs = readFileSync(join(root, 'var/log/ft'), 'utf8');

    tree.mkdir('/var/log');
    const pkgs: ScriptletPackage[] = [];
    for (const name of ['ft-base', 'ft-owner', 'ft-later']) {
      const { meta } = await openRpm(join(repo, `${name}.rpm`), { headerOnly: true });
      pkgs.push({ nevra: `${name}-1-1.noarch`, name, meta });
    }
    const report = emulateScriptlets(pkgs, tree, { sourceDateEpoch: SDE });
    expect(report.skipped).toEqual([]);
    ours = new TextDecoder().decode(tree.readFile('/var/log/ft'));
  }, 600_000);
  afterAll(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('rpm ran the triggers the test expects (the comparison is not vacuous)', () => {
    for (const tag of ['hi 1:0', 'lo 1:0', 'trans-lo 1:0', 'seen /usr/share/ftdemo/x', 'post-owner 1:1', 'posttrans-owner']) expect(theirs).toContain(tag);
    expect(theirs).not.toContain('never');
  });
  it('the emulated log is identical to rpm\'s', () => {
    expect(ours).toBe(theirs);
  });
});
