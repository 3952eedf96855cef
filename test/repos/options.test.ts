import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRepoOptions, loadDistro, parseRepoFile } from '../../src/repos/index.js';
import { repoOptionsFromValues, splitDistroRef } from '../../src/cli/repo-args.js';

describe('--mirror', () => {
  it('rewrites every baseurl under the mirror root', () => {
    const repos = applyRepoOptions(loadDistro('centos:4'), { mirror: 'http://127.0.0.1:8080/vault' });
    expect(repos.map((r) => r.baseurl?.[0])).toEqual(['http://127.0.0.1:8080/vault/4.9/os/x86_64/', 'http://127.0.0.1:8080/vault/4.9/updates/x86_64/']);
  });
  it('drops the metalink of rewritten repos and leaves other hosts alone', () => {
    const d = loadDistro('centos-stream:9');
    const repos = applyRepoOptions(d, { mirror: 'file:///srv/cs/', repofrompath: [['extra', 'https://example.org/x/']] });
    expect(repos.find((r) => r.id === 'baseos')).toMatchObject({ baseurl: ['file:///srv/cs/9-stream/BaseOS/x86_64/os/'] });
    expect(repos.find((r) => r.id === 'baseos')?.metalink).toBeUndefined();
    expect(repos.find((r) => r.id === 'extra')?.baseurl).toEqual(['https://example.org/x/']);
  });
});

describe('repo selection', () => {
  it('--repofrompath adds or replaces, --disablerepo/--enablerepo take globs', () => {
    const d = loadDistro('centos:4.9');
    expect(applyRepoOptions(d, { repofrompath: [['base', 'file:///tmp/b']] })).toEqual([{ id: 'base', name: 'base', baseurl: ['file:///tmp/b'], enabled: true, gpgcheck: false }]);
    const r = applyRepoOptions(d, { repofrompath: [['local', 'file:///tmp/l']], disablerepo: ['*'], enablerepo: ['local', 'upd*'] });
    expect(r.map((x) => x.id)).toEqual(['updates', 'local']);
    expect(() => applyRepoOptions(d, { enablerepo: ['nosuch'] })).toThrow(/no such repo/);
  });
  it('--repofrompath repos are gpgchecked against --gpgkey when keys are given (dnf), and unchecked without', () => {
    const d = loadDistro('centos:4.9');
    const [withKey] = applyRepoOptions(d, { repofrompath: [['local', 'file:///tmp/l']], disablerepo: ['base'], gpgkeys: ['/k/A', 'https://keys.example/B'] });
    expect(withKey).toEqual({ id: 'local', name: 'local', baseurl: ['file:///tmp/l'], enabled: true, gpgcheck: true, gpgkey: ['/k/A', 'https://keys.example/B'] });
    // the definition's own repos keep their gpgcheck and keys (--gpgkey is added when checking, not here)
    expect(applyRepoOptions(d, { gpgkeys: ['/k/A'] })[0]).toMatchObject({ id: 'base', gpgcheck: true, gpgkey: ['RPM-GPG-KEY-CentOS-4'] });
  });
  it('--releasever and --arch substitute', () => {
    const r = applyRepoOptions(loadDistro('centos:4.9', { arch: 'i686', releasever: '4.8' }), {});
    expect(r[0]!.baseurl).toEqual(['https://vault.centos.org/4.8/os/i386/']);
  });
});

describe('.repo files', () => {
  const text = `[main]
cachedir=/var/cache/yum

# a comment
[base]
name=CentOS-$releasever - Base
baseurl=http://mirror.centos.org/centos/$releasever/os/$basearch/
        http://vault.centos.org/$releasever/os/$basearch/
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-centos4
priority=1

[c4-media]
name = media
mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$arch&repo=os
enabled=0
exclude=kernel* php*
cost = 500
module_hotfixes=true
`;
  it('parses sections, continuation lines and variables', () => {
    const repos = parseRepoFile(text, { releasever: '4.9', basearch: 'i386', arch: 'i686' });
    expect(repos).toEqual([
      { id: 'base', name: 'CentOS-4.9 - Base', baseurl: ['http://mirror.centos.org/centos/4.9/os/i386/', 'http://vault.centos.org/4.9/os/i386/'], enabled: true, gpgcheck: true, gpgkey: ['file:///etc/pki/rpm-gpg/RPM-GPG-KEY-centos4'], priority: 1 },
      { id: 'c4-media', name: 'media', mirrorlist: 'http://mirrorlist.centos.org/?release=4.9&arch=i686&repo=os', enabled: false, cost: 500, exclude: ['kernel*', 'php*'], moduleHotfixes: true },
    ]);
  });
  it('rejects garbage with the line', () => {
    expect(() => parseRepoFile('[x]\nbaseurl=http://a/\nthis is not ini\n', {}, 'f.repo')).toThrow(/line 3/);
    expect(() => parseRepoFile('[x]\nname=x\n', {}, 'f.repo')).toThrow(/no baseurl/);
    expect(() => parseRepoFile('[x]\nbaseurl=http://a/\nenabled=maybe\n', {}, 'f.repo')).toThrow(/not a boolean/);
  });
  it('--repo-file without a distro uses --releasever/--arch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rfs-repofile-'));
    const f = join(dir, 'c.repo');
    writeFileSync(f, text);
    let r: ReturnType<typeof applyRepoOptions>;
    try {
      r = applyRepoOptions(null, { repoFiles: [f], releasever: '4.9', arch: 'x86_64' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(r.map((x) => x.id)).toEqual(['base']);
    expect(r[0]!.baseurl?.[0]).toBe('http://mirror.centos.org/centos/4.9/os/x86_64/');
  });
});

describe('splitDistroRef', () => {
  it('takes the first positional as the distro only when it names a definition (any case)', () => {
    expect(splitDistroRef(['centos:4.9', 'bash'], {})).toEqual({ distro: 'centos:4.9', packages: ['bash'] });
    expect(splitDistroRef(['CentOS:7', 'bash'], {})).toEqual({ distro: 'centos:7', packages: ['bash'] });
    expect(splitDistroRef(['bash', 'centos:7'], {})).toEqual({ packages: ['bash', 'centos:7'] });
  });
  it('reads name-epoch:version-release as a package, also after a distro', () => {
    expect(splitDistroRef(['nginx-1:1.20.1-14.el9'], {})).toEqual({ packages: ['nginx-1:1.20.1-14.el9'] });
    expect(splitDistroRef(['centos:7', 'tar-2:1.26-35.el7.x86_64'], {})).toEqual({ distro: 'centos:7', packages: ['tar-2:1.26-35.el7.x86_64'] });
  });
  it('keeps an unknown tag as a distro (to be explained) unless repos of its own were given', () => {
    expect(splitDistroRef(['centoss:7', 'bash'], {})).toEqual({ distro: 'centoss:7', packages: ['bash'] });
    expect(splitDistroRef(['centoss:7'], { repofrompath: [['l', 'file:///r']] })).toEqual({ packages: ['centoss:7'] });
  });
  it('rejects --repofrompath without a comma', () => {
    expect(() => repoOptionsFromValues({ repofrompath: ['nocomma'] })).toThrow(/ID,URL/);
  });
});
