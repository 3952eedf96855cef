// The container finishing recipe on small images, with the real CentOS 5 repo file when available.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishImage, rewriteRepoText } from '../../src/assemble/finish/index.js';
import type { DistroRelease } from '../../src/types/index.js';
import { DAYS, SDE, baseImage, line, text } from '../scriptlets/helpers.js';
import { sharedPath } from '../helpers/realdata.js';

function distro(release: string, eol = true): DistroRelease {
  return {
    distro: 'centos', release, releasever: release.split('.')[0]!, arch: 'x86_64', arches: ['x86_64'],
    mirrorRoot: 'https://vault.centos.org/', repos: [], packages: [], prettyName: `CentOS ${release}`, eol,
    rpmdb: { flavour: 'bdb-hash-v8', path: '/var/lib/rpm', rpmVersion: '4.3.3' },
  };
}

const C5_BASE = `[base]
name=CentOS-$releasever - Base
mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os
#baseurl=http://mirror.centos.org/centos/$releasever/os/$basearch/
gpgcheck=1
gpgkey=http://mirror.centos.org/centos/RPM-GPG-KEY-CentOS-5

[extras]
name=CentOS-$releasever - Extras
mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=extras
gpgcheck=1
`;

describe('repo rewrite', () => {
  it('mirrorlist -> vault baseurl with the exact release, gpgkey too; a section without baseurl gets one', () => {
    expect(rewriteRepoText(C5_BASE, 'https://vault.centos.org/', '5.11')).toBe(`[base]
name=CentOS-$releasever - Base
#mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os
baseurl=https://vault.centos.org/5.11/os/$basearch/
gpgcheck=1
gpgkey=https://vault.centos.org/RPM-GPG-KEY-CentOS-5

[extras]
baseurl=https://vault.centos.org/5.11/extras/$basearch/
name=CentOS-$releasever - Extras
#mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=extras
gpgcheck=1
`);
  });
  it('CentOS 8 $contentdir layout and a --mirror', () => {
    const t = '[baseos]\nmirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=BaseOS&infra=$infra\n#baseurl=http://mirror.centos.org/$contentdir/$releasever/BaseOS/$basearch/os/\n';
    expect(rewriteRepoText(t, 'http://my.mirror/centos', '8.5.2111')).toContain('baseurl=http://my.mirror/centos/8.5.2111/BaseOS/$basearch/os/');
  });
  it('other hosts are left alone', () => {
    expect(rewriteRepoText('[epel]\nmirrorlist=https://mirrors.fedoraproject.org/metalink?repo=epel-7\n', 'https://vault.centos.org/', '7.9.2009')).toBeUndefined();
  });
  const RPM = sharedPath('realdata/rpms/centos-release/centos-release-5-0.0.el5.centos.2.x86_64.rpm');
  it.skipIf(!existsSync(RPM))('the real CentOS 5 CentOS-Base.repo', () => {
    const repo = execSync(`rpm2cpio ${RPM} | cpio -i --quiet --to-stdout ./etc/yum.repos.d/CentOS-Base.repo`, { encoding: 'utf8' });
    const t = baseImage(5);
    t.writeFile('/etc/yum.repos.d/CentOS-Base.repo', repo);
    finishImage(t, distro('5.11'), { sourceDateEpoch: SDE });
    const out = text(t, '/etc/yum.repos.d/CentOS-Base.repo')!;
    expect(out).not.toMatch(/^mirrorlist=/m);
    for (const r of ['os', 'updates', 'addons', 'extras', 'centosplus']) expect(out).toContain(`baseurl=https://vault.centos.org/5.11/${r}/$basearch/`);
    const kept = baseImage(5);
    kept.writeFile('/etc/yum.repos.d/CentOS-Base.repo', repo);
    finishImage(kept, distro('5.11'), { repoRewrite: false, sourceDateEpoch: SDE });
    expect(text(kept, '/etc/yum.repos.d/CentOS-Base.repo')).toBe(repo);
  });
  it('up2date sources on CentOS 4', () => {
    const t = baseImage(4);
    t.mkdir('/etc/sysconfig/rhn');
    finishImage(t, distro('4.9'), { sourceDateEpoch: SDE });
    expect(text(t, '/etc/sysconfig/rhn/sources')).toBe('yum base https://vault.centos.org/4.9/os/$ARCH/\nyum updates https://vault.centos.org/4.9/updates/$ARCH/\n');
    t.writeFile('/etc/sysconfig/rhn/sources', '#up2date default\nyum base http://mirror.centos.org/centos/$releasever/os/$ARCH/\n');
    finishImage(t, distro('4.9'), { sourceDateEpoch: SDE, mirror: 'http://m.example/' });
    expect(text(t, '/etc/sysconfig/rhn/sources')).toBe('#up2date default\nyum base http://m.example/4.9/os/$ARCH/\n');
  });
});

describe('finishImage', () => {
  it('CentOS 4 recipe: boot emptied, root locked, host files and caches gone, UTC, i18n', () => {
    const t = baseImage(4);
    t.writeFile('/boot/vmlinuz-2.6.9', 'K');
    t.writeFile('/etc/resolv.conf', 'nameserver 10.0.0.1\n');
    t.writeFile('/etc/hostname', 'buildhost\n');
    t.writeFile('/var/cache/yum/base/packages/x.rpm', 'RPM');
    t.writeFile('/usr/share/zoneinfo/UTC', 'TZif');
    t.writeFile('/etc/localtime', 'TZif-host');
    t.writeFile('/etc/shadow', 'root:$1$abc$known:15000:0:99999:7:::\nbin:*:15000:0:99999:7:::\n');
    finishImage(t, distro('4.9'), { sourceDateEpoch: SDE });
    expect(t.list('/boot')).toEqual([]);
    expect(line(t, '/etc/shadow', 'root')).toBe('root:!!:15000:0:99999:7:::');
    expect(t.exists('/etc/resolv.conf')).toBe(false);
    expect(text(t, '/etc/hostname')).toBe('');
    expect(t.list('/var/cache/yum')).toEqual([]);
    expect(t.lstat('/etc/localtime')).toMatchObject({ type: 'symlink', linkTarget: '../usr/share/zoneinfo/UTC' });
    expect(text(t, '/etc/sysconfig/clock')).toBe('ZONE="UTC"\nUTC=true\nARC=false\n');
    expect(text(t, '/etc/sysconfig/i18n')).toBe('LANG="en_US.UTF-8"\n');
    expect(t.exists('/etc/locale.conf')).toBe(false);
  });
  it('EL8: locale.conf (C.UTF-8 without langpacks), empty machine-id with systemd, no i18n', () => {
    const t = baseImage(8, { systemd: true });
    finishImage(t, { ...distro('8.5.2111'), eol: true }, { sourceDateEpoch: SDE });
    expect(text(t, '/etc/locale.conf')).toBe('LANG="C.UTF-8"\n');
    expect(text(t, '/etc/machine-id')).toBe('');
    expect(t.exists('/etc/sysconfig/i18n')).toBe(false);
  });
  it('makes /etc/shadow from passwd when no package shipped it, root locked', () => {
    const t = baseImage(4, { shadow: false });
    finishImage(t, distro('4.9'), { sourceDateEpoch: SDE });
    expect(line(t, '/etc/shadow', 'root')).toBe(`root:!!:${DAYS}::::::`);
    expect(t.lstat('/etc/shadow')?.mode).toBe(0);
    expect(line(t, '/etc/passwd', 'root')).toBe('root:x:0:0:root:/root:/bin/bash');
  });
  it('--user NAME:UID and --add-file', () => {
    const t = baseImage(7);
    finishImage(t, null, { sourceDateEpoch: SDE, users: [{ name: 'ci', uid: 1500 }], addFiles: [{ dest: '/etc/motd.d/hello', data: new TextEncoder().encode('hi\n') }] });
    expect(line(t, '/etc/passwd', 'ci')).toBe('ci:x:1500:1500::/home/ci:/bin/bash');
    expect(t.lstat('/home/ci')).toMatchObject({ type: 'dir', user: 'ci' });
    expect(text(t, '/etc/motd.d/hello')).toBe('hi\n');
  });
});
