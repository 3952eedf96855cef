import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRepoOptions, listDistros, loadDistro, keyFilePath, validateDistroFile } from '../../src/repos/index.js';
import { isRfsError } from '../../src/errors/index.js';

const EL_SET = ['basesystem', 'bash', 'centos-release', 'coreutils', 'yum', 'rpm', 'shadow-utils', 'passwd', 'findutils', 'tar', 'gzip', 'vim-minimal', 'iputils'];

describe('distro definitions', () => {
  const all = listDistros();
  const tags = new Set(all.map((d) => d.tag));

  it('cover the required releases', () => {
    for (let i = 0; i <= 9; i++) expect(tags, `4.${i}`).toContain(`centos:4.${i}`);
    for (let i = 0; i <= 11; i++) expect(tags, `5.${i}`).toContain(`centos:5.${i}`);
    for (let i = 0; i <= 10; i++) expect(tags, `6.${i}`).toContain(`centos:6.${i}`);
    for (const t of ['centos:4', 'centos:5', 'centos:6', 'centos:7', 'centos:8', 'centos:7.0.1406', 'centos:7.9.2009', 'centos:7.9',
      'centos:8.0.1905', 'centos:8.5.2111', 'centos-stream:8', 'centos-stream:9', 'centos-stream:10', 'fedora:latest', 'fedora:43', 'fedora:30',
      'rocky:8', 'rocky:9', 'rocky:10', 'rocky:8.4', 'almalinux:8', 'almalinux:9', 'almalinux:10', 'ubi:8', 'ubi:9', 'ubi:10']) {
      expect(tags, t).toContain(t);
    }
  });

  it('every tag loads, with an rpmdb flavour that matches its rpm version', () => {
    for (const { tag } of all) {
      const d = loadDistro(tag);
      expect(d.repos.some((r) => r.enabled), tag).toBe(true);
      expect(d.packages.length, tag).toBeGreaterThan(5);
      const [maj = 0, min = 0] = d.rpmdb.rpmVersion.split('.').map(Number);
      const v = maj * 100 + min;
      const want = v <= 404 ? 'bdb-hash-v8' : v < 416 ? 'bdb-hash-v9' : 'sqlite';
      expect(d.rpmdb.flavour, `${tag} rpm ${d.rpmdb.rpmVersion}`).toBe(want);
      for (const r of d.repos) for (const u of r.baseurl ?? []) expect(u.startsWith(d.mirrorRoot), `${tag} ${u}`).toBe(true);
      for (const r of d.repos) for (const k of r.gpgkey ?? []) {
        if (!k.includes('://')) expect(keyFilePath(k), `${tag} key ${k}`).toBeDefined();
      }
    }
  });

  it('CentOS 4-7 use the classic container package set', () => {
    for (const t of ['centos:4.0', 'centos:4.9', 'centos:4', 'centos:5.11', 'centos:6.10', 'centos:7.9.2009', 'centos:7']) {
      expect(loadDistro(t).packages, t).toEqual(EL_SET);
    }
  });

  it('a point release is its installation media only; a major adds updates', () => {
    const point = applyRepoOptions(loadDistro('centos:4.9'), {});
    expect(point.map((r) => r.id)).toEqual(['base']);
    expect(point[0]!.baseurl).toEqual(['https://vault.centos.org/4.9/os/x86_64/']);
    const major = applyRepoOptions(loadDistro('centos:4'), {});
    expect(major.map((r) => r.id)).toEqual(['base', 'updates']);
    expect(major[1]!.baseurl).toEqual(['https://vault.centos.org/4.9/updates/x86_64/']);
    expect(loadDistro('centos:4').release).toBe('4.9');
    const c7 = applyRepoOptions(loadDistro('centos:7.9'), {});
    expect(c7.map((r) => r.baseurl?.[0])).toEqual(['https://vault.centos.org/7.9.2009/os/x86_64/']);
    const c8 = applyRepoOptions(loadDistro('centos:8.5.2111'), {});
    expect(c8.map((r) => r.baseurl?.[0])).toEqual(['https://vault.centos.org/8.5.2111/BaseOS/x86_64/os/', 'https://vault.centos.org/8.5.2111/AppStream/x86_64/os/']);
  });

  it('rpmdb targets follow the era', () => {
    expect(loadDistro('centos:4.9').rpmdb).toEqual({ flavour: 'bdb-hash-v8', path: '/var/lib/rpm', rpmVersion: '4.3.3' });
    expect(loadDistro('centos:5').rpmdb.rpmVersion).toBe('4.4.2');
    expect(loadDistro('centos:6').rpmdb).toMatchObject({ flavour: 'bdb-hash-v9', rpmVersion: '4.8.0' });
    expect(loadDistro('centos:7').rpmdb.rpmVersion).toBe('4.11.3');
    expect(loadDistro('centos-stream:9').rpmdb).toEqual({ flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.16.1' });
    expect(loadDistro('centos-stream:10').rpmdb).toEqual({ flavour: 'sqlite', path: '/usr/lib/sysimage/rpm', rpmVersion: '4.19.1', compatSymlink: true });
    expect(loadDistro('fedora:36').rpmdb).toMatchObject({ path: '/usr/lib/sysimage/rpm', compatSymlink: true });
    expect(loadDistro('fedora:34').rpmdb).toEqual({ flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.16.1' });
    expect(loadDistro('fedora:32').rpmdb.flavour).toBe('bdb-hash-v9');
  });

  it('i386 trees where they existed; CentOS 7 i386 only in altarch', () => {
    expect(applyRepoOptions(loadDistro('centos:4.9', { arch: 'i386' }), {})[0]!.baseurl).toEqual(['https://vault.centos.org/4.9/os/i386/']);
    expect(applyRepoOptions(loadDistro('centos:6.10', { arch: 'i686' }), {})[0]!.baseurl).toEqual(['https://vault.centos.org/6.10/os/i386/']);
    expect(applyRepoOptions(loadDistro('centos:7', { arch: 'aarch64' }), {})[0]!.baseurl).toEqual(['https://vault.centos.org/altarch/7.9.2009/os/aarch64/']);
    expect(() => loadDistro('centos:8', { arch: 'i386' })).toThrow(/no i386 tree/);
  });

  it('archived and current Fedora live on different hosts', () => {
    expect(applyRepoOptions(loadDistro('fedora:25'), {}).map((r) => r.baseurl?.[0])).toEqual([
      'https://archives.fedoraproject.org/pub/archive/fedora/linux/releases/25/Everything/x86_64/os/',
      'https://archives.fedoraproject.org/pub/archive/fedora/linux/updates/25/x86_64/',
    ]);
    expect(applyRepoOptions(loadDistro('fedora:43'), {})[1]!.baseurl).toEqual(['https://dl.fedoraproject.org/pub/fedora/linux/updates/43/Everything/x86_64/']);
  });

  it('unknown tags fail with suggestions', () => {
    try {
      loadDistro('centos:4.10');
      expect.unreachable();
    } catch (e) {
      expect(isRfsError(e) && e.code).toBe('RFS_UNKNOWN_DISTRO');
      expect(isRfsError(e) && e.hint).toMatch(/centos:4\.9/);
    }
  });

  it('the schema rejects broken definitions, naming the file and field', () => {
    expect(validateDistroFile({ distro: 'x' }).errors).toContain('document: missing mirrorRoot');
    const dir = mkdtempSync(join(tmpdir(), 'rfs-repos-'));
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', '1.yaml'), 'distro: x\nprettyName: X\nmirrorRoot: http://m/\neol: true\narches: [x86_64]\npackages: [a]\n' +
      'rpmdb: { flavour: bdb-hash-v7, path: /var/lib/rpm, rpmVersion: "4.3" }\nrepos: [{ id: os }]\nreleases: [{ release: "1" }]\n');
    try {
      listDistros(dir);
      expect.unreachable();
    } catch (e) {
      expect(isRfsError(e) && e.code).toBe('RFS_BAD_CONFIG');
      expect(isRfsError(e) && (e.details as string[])).toEqual(expect.arrayContaining([
        'x/1.yaml: document.rpmdb.flavour: unknown flavour bdb-hash-v7',
        'x/1.yaml: repos[0]: needs baseurl, mirrorlist or metalink',
      ]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
