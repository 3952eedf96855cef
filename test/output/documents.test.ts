// Lockfile, SBOM and image config documents.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSbom, imageRef, ociArch, ociConfigJson, readLockfile, rpmPurl, writeLockfile, writeSbom } from '../../src/assemble/output/index.js';
import type { LockContext, LockedPackage, SbomInput } from '../../src/assemble/output/index.js';
import { CONFIG } from './rootfs.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pkg = (name: string, extra: Partial<LockedPackage> = {}): LockedPackage => ({
  name, epoch: 0, version: '1.0', release: '1.el4', arch: 'x86_64', repo: 'base',
  url: `http://mirror.example/centos/4.9/os/x86_64/CentOS/RPMS/${name}-1.0-1.el4.x86_64.rpm`,
  checksum: { type: 'sha256', value: 'AB'.repeat(32) }, ...extra,
});

const CONTEXT: LockContext = {
  distro: { ref: 'CentOS:4', tag: 'centos:4', id: 'centos', release: '4.9', releasever: '4' },
  arch: 'x86_64',
  request: { packages: ['nscd', 'bash', 'nscd'], exclude: [], profiles: ['systemd', 'minimal'], noDefaultPackages: false, weakDeps: true },
  repos: [
    { id: 'updates', baseurl: 'http://m/4/updates/x86_64/', repomd: { checksum: { type: 'sha256', value: 'CD'.repeat(32) }, revision: '2' }, primary: { checksum: { type: 'sha1', value: 'ef'.repeat(20) } } },
    { id: 'base', baseurl: 'http://m/4/os/x86_64/', repomd: { checksum: { type: 'sha256', value: 'ab'.repeat(32) }, revision: '1' }, primary: { checksum: { type: 'sha1', value: '12'.repeat(20) } } },
  ],
};

describe('lockfile', () => {
  it('round-trips, sorted by name/arch/evr, with a version field', async () => {
    const path = join(work, 'lock.json');
    const input = [pkg('zlib'), pkg('bash', { epoch: 2 }), pkg('glibc', { arch: 'i686' }), pkg('glibc'), pkg('kernel', { version: '2.6.9', release: '89' }), pkg('kernel', { version: '2.6.9', release: '100' })];
    await writeLockfile(path, input, CONTEXT);
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc.lockfileVersion).toBe(2);
    // packages and excludes are sets, sorted; profiles keep their order; repos sorted by id
    // the solver options a context leaves out are written as their defaults
    expect(doc.request).toEqual({ packages: ['bash', 'nscd'], exclude: [], profiles: ['systemd', 'minimal'], noDefaultPackages: false, weakDeps: true, skipBroken: false, modules: [], setopt: [] });
    expect(doc.repos.map((r: { id: string }) => r.id)).toEqual(['base', 'updates']);
    const lock = await readLockfile(path);
    expect(lock.version).toBe(2);
    expect(lock.context?.distro).toEqual(CONTEXT.distro);
    expect(lock.context?.repos[1]?.repomd.checksum.value).toBe('cd'.repeat(32));
    const back = lock.packages;
    expect(back.map((p) => `${p.name}.${p.arch}-${p.release}`)).toEqual(['bash.x86_64-1.el4', 'glibc.i686-1.el4', 'glibc.x86_64-1.el4', 'kernel.x86_64-100', 'kernel.x86_64-89', 'zlib.x86_64-1.el4']);
    expect(back[0]).toEqual({ ...pkg('bash', { epoch: 2 }), checksum: { type: 'sha256', value: 'ab'.repeat(32) } });
    await writeLockfile(join(work, 'lock2.json'), [...input].reverse(), { ...CONTEXT, repos: [...CONTEXT.repos].reverse(), request: { ...CONTEXT.request, packages: ['bash', 'nscd'] } });
    expect(readFileSync(join(work, 'lock2.json')).equals(readFileSync(path))).toBe(true);
  });

  it.each([
    ['not json', '{'],
    ['wrong version', JSON.stringify({ lockfileVersion: 99, packages: [] })],
    ['bad checksum', JSON.stringify({ lockfileVersion: 1, packages: [{ ...pkg('a'), checksum: { type: 'crc', value: 'x' } }] })],
    ['missing name', JSON.stringify({ lockfileVersion: 1, packages: [{ ...pkg('a'), name: '' }] })],
    ['negative epoch', JSON.stringify({ lockfileVersion: 1, packages: [{ ...pkg('a'), epoch: -1 }] })],
    ['v2 without request', JSON.stringify({ lockfileVersion: 2, distro: null, arch: 'x86_64', repos: [], packages: [] })],
    ['v2 repo without checksum', JSON.stringify({ lockfileVersion: 2, distro: null, arch: 'x86_64', request: CONTEXT.request, repos: [{ id: 'base', baseurl: 'x', repomd: { revision: '1' }, primary: {} }], packages: [] })],
  ])('rejects %s with RFS_BAD_CONFIG naming the file', async (_why, text) => {
    const path = join(work, 'bad.json');
    writeFileSync(path, text);
    await expect(readLockfile(path)).rejects.toMatchObject({ code: 'RFS_BAD_CONFIG', subject: path });
  });

  it('refuses a lockfile larger than any real one without reading it', async () => {
    const path = join(work, 'huge.json');
    writeFileSync(path, '{');
    truncateSync(path, 300 * 1024 * 1024); // sparse: costs no disk
    await expect(readLockfile(path)).rejects.toMatchObject({ code: 'RFS_BAD_CONFIG', subject: path, message: expect.stringContaining('more than any lockfile holds') });
    rmSync(path);
  });

  it('reads a version 1 lockfile (no context)', async () => {
    const path = join(work, 'v1.json');
    writeFileSync(path, JSON.stringify({ lockfileVersion: 1, packages: [pkg('bash')] }));
    const lock = await readLockfile(path);
    expect(lock).toEqual({ version: 1, packages: [{ ...pkg('bash'), checksum: { type: 'sha256', value: 'ab'.repeat(32) } }] });
  });
});

const SBOM: SbomInput = {
  distro: { id: 'centos', version: '4.9', name: 'CentOS 4.9' },
  created: '2020-09-13T12:26:40.000Z',
  packages: [
    { name: 'zlib', epoch: null, version: '1.2.1.2', release: '1.el4', arch: 'x86_64', license: 'BSD', vendor: 'CentOS', sourcerpm: 'zlib-1.2.1.2-1.el4.src.rpm', checksum: { type: 'sha1', value: 'aa'.repeat(20) } },
    { name: 'bash', epoch: 0, version: '3.0', release: '27.el4', arch: 'x86_64', license: 'GPL', vendor: 'CentOS', url: 'http://m/bash.rpm', homepage: 'http://www.gnu.org/software/bash' },
    { name: 'libstdc++', epoch: 1, version: '3.4.6', release: '11.el4+x', arch: 'i386', license: 'GPL', vendor: 'Red Hat, Inc.' },
    { name: 'mystery', epoch: null, version: '1', release: '1', arch: 'noarch' },
  ],
};

describe('sbom', () => {
  it('purls follow the rpm type: vendor namespace, sorted qualifiers, epoch only when set, escaping', () => {
    expect(rpmPurl(SBOM.packages[0]!, SBOM.distro)).toBe('pkg:rpm/centos/zlib@1.2.1.2-1.el4?arch=x86_64&distro=centos-4.9');
    expect(rpmPurl(SBOM.packages[2]!, SBOM.distro)).toBe('pkg:rpm/redhat/libstdc%2B%2B@3.4.6-11.el4%2Bx?arch=i386&distro=centos-4.9&epoch=1');
    expect(rpmPurl(SBOM.packages[3]!, { id: 'rocky', version: '9.3' })).toBe('pkg:rpm/rocky/mystery@1-1?arch=noarch&distro=rocky-9.3');
  });

  it('is SPDX 2.3 with unique ids, license refs, a root package and CONTAINS relationships; deterministic', async () => {
    const doc = buildSbom(SBOM) as Record<string, unknown> & { packages: Record<string, unknown>[]; relationships: unknown[]; hasExtractedLicensingInfos: Record<string, string>[] };
    expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', creationInfo: { created: '2020-09-13T12:26:40Z', creators: ['Tool: rootfs-assemble'] } });
    expect(String(doc.documentNamespace)).toMatch(/^https:\/\/rootfs-assemble\.invalid\/spdx\/centos-4\.9-[0-9a-f]{32}$/);
    const ids = doc.packages.map((p) => String(p.SPDXID));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^SPDXRef-[A-Za-z0-9.-]+$/);
    expect(doc.packages.slice(1).map((p) => p.name)).toEqual(['bash', 'libstdc++', 'mystery', 'zlib']);
    const bash = doc.packages[1]!;
    expect(bash).toMatchObject({ versionInfo: '3.0-27.el4', supplier: 'Organization: CentOS', downloadLocation: 'http://m/bash.rpm', licenseDeclared: 'LicenseRef-GPL', homepage: 'http://www.gnu.org/software/bash' });
    expect(doc.packages[2]).toMatchObject({ versionInfo: '1:3.4.6-11.el4+x' });
    expect(doc.packages[4]).toMatchObject({ checksums: [{ algorithm: 'SHA1', checksumValue: 'aa'.repeat(20) }], sourceInfo: 'built package from: zlib-1.2.1.2-1.el4.src.rpm' });
    expect(doc.hasExtractedLicensingInfos.map((l) => l.licenseId)).toEqual(['LicenseRef-BSD', 'LicenseRef-GPL']);
    expect(doc.relationships).toHaveLength(5);
    const a = join(work, 'a.spdx.json');
    const b = join(work, 'b.spdx.json');
    await writeSbom(a, SBOM);
    await writeSbom(b, { ...SBOM, packages: [...SBOM.packages].reverse() });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const other = buildSbom({ ...SBOM, packages: SBOM.packages.slice(1) });
    expect(other.documentNamespace).not.toBe(doc.documentNamespace);
  });
});

describe('image config', () => {
  it.each([['x86_64', 'amd64'], ['aarch64', 'arm64'], ['i686', '386'], ['i386', '386'], ['ppc64le', 'ppc64le'], ['s390x', 's390x'], ['ia64', 'ia64']])('%s -> %s', (rpm, oci) => {
    expect(ociArch(rpm).architecture).toBe(oci);
  });

  it('omits unset fields, sorts labels, and is stable', () => {
    const minimal = { architecture: 'aarch64', os: 'linux' as const, env: [], labels: { b: '2', a: '1' }, created: '1970-01-01T00:00:00Z' };
    const doc = JSON.parse(new TextDecoder().decode(ociConfigJson(minimal, ['sha256:00'])));
    expect(doc).toMatchObject({ architecture: 'arm64', variant: 'v8', rootfs: { type: 'layers', diff_ids: ['sha256:00'] } });
    expect(Object.keys(doc.config)).toEqual(['Env', 'Labels']);
    expect(Object.keys(doc.config.Labels)).toEqual(['a', 'b']);
    expect(ociConfigJson(CONFIG, ['sha256:1'])).toEqual(ociConfigJson({ ...CONFIG, labels: Object.fromEntries(Object.entries(CONFIG.labels).reverse()) }, ['sha256:1']));
  });

  it('derives a valid reference', () => {
    expect(imageRef(CONFIG)).toEqual({ name: 'rfs-busybox', tag: '1.0' });
    expect(imageRef({ ...CONFIG, labels: { name: 'CentOS Linux', version: '4.9 (Final)' } })).toEqual({ name: 'centos-linux', tag: '4.9-Final-' });
    expect(imageRef(CONFIG, 'registry.example:5000/team/img')).toEqual({ name: 'registry.example:5000/team/img', tag: 'latest' });
  });
});
