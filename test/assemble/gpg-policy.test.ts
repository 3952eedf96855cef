// dnf's gpgcheck semantics as a table, and how the SBOM words each outcome.
import { describe, expect, it } from 'vitest';
import { repoGpgPolicy } from '../../src/assemble/gpg.js';
import { keyLabel } from '../../src/util/pgp/index.js';
import { buildSbom, signatureComment } from '../../src/assemble/output/sbom.js';
import type { RepoConfig } from '../../src/types/index.js';

const repo = (id: string, gpgcheck: boolean | undefined, gpgkey?: string[]): RepoConfig =>
  ({ id, name: id, baseurl: ['https://m.example/'], enabled: true, ...(gpgcheck !== undefined ? { gpgcheck } : {}), ...(gpgkey ? { gpgkey } : {}) });
const opts = (o: { nogpgcheck?: boolean; extraKeys?: string[]; fromPath?: string[] } = {}) =>
  ({ nogpgcheck: o.nogpgcheck ?? false, extraKeys: o.extraKeys ?? [], fromPath: new Set(o.fromPath ?? []) });

describe('repoGpgPolicy', () => {
  it('a gpgcheck repo is checked against its keys plus --gpgkey', () => {
    expect(repoGpgPolicy(repo('base', true, ['RPM-GPG-KEY-CentOS-7']), opts({ extraKeys: ['/k/fixture'] })))
      .toEqual({ check: true, keys: ['RPM-GPG-KEY-CentOS-7', '/k/fixture'], reason: null });
  });
  it('--nogpgcheck turns every repo off; the keys stay known for catching BAD signatures', () => {
    expect(repoGpgPolicy(repo('base', true, ['K']), opts({ nogpgcheck: true }))).toEqual({ check: false, keys: ['K'], reason: 'nogpgcheck' });
  });
  it('gpgcheck off or unset (a .repo file without the line, as dnf) is not checked', () => {
    expect(repoGpgPolicy(repo('r', false, ['K']), opts({ extraKeys: ['X'] }))).toEqual({ check: false, keys: ['K', 'X'], reason: 'gpgcheck-off' });
    expect(repoGpgPolicy(repo('r', undefined), opts())).toMatchObject({ check: false, reason: 'gpgcheck-off' });
  });
  it('a --repofrompath repo without keys is unverified for want of a key', () => {
    expect(repoGpgPolicy(repo('local', false), opts({ fromPath: ['local'] }))).toEqual({ check: false, keys: [], reason: 'no-key' });
  });
  it('a gpgcheck repo with no key at all is checked (and fails at the first package, as dnf does)', () => {
    expect(repoGpgPolicy(repo('r', true), opts())).toEqual({ check: true, keys: [], reason: null });
  });
});

describe('keyLabel', () => {
  it('names local files by base name, so outputs do not depend on where keys live; URLs stay whole', () => {
    expect(keyLabel('/home/me/keys/RPM-GPG-KEY-x')).toBe('RPM-GPG-KEY-x');
    expect(keyLabel('file:///etc/pki/rpm-gpg/RPM-GPG-KEY-centos4')).toBe('RPM-GPG-KEY-centos4');
    expect(keyLabel('RPM-GPG-KEY-CentOS-7')).toBe('RPM-GPG-KEY-CentOS-7');
    expect(keyLabel('https://dl.rockylinux.org/pub/rocky/RPM-GPG-KEY-Rocky-9')).toBe('https://dl.rockylinux.org/pub/rocky/RPM-GPG-KEY-Rocky-9');
  });
});

describe('SBOM signature annotations', () => {
  const pkg = (name: string, signature?: Parameters<typeof signatureComment>[0]) =>
    ({ name, epoch: null, version: '1', release: '1', arch: 'x86_64', ...(signature ? { signature } : {}) });
  it('one OTHER annotation per package, dated like the document; none when nothing was checked', () => {
    const doc = buildSbom({
      distro: { id: 'centos', version: '7' }, created: '2020-11-10T00:00:00.000Z',
      packages: [
        pkg('a', { verified: true, keys: [{ keyId: '24c6a8a7f4a80eb5', fingerprint: '6341ab2753d78a78a7c27bb124c6a8a7f4a80eb5', file: 'RPM-GPG-KEY-CentOS-7' }] }),
        pkg('b', { verified: false, reason: 'no-key' }),
        pkg('c'),
      ],
    }) as { packages: { name: string; annotations?: unknown[] }[] };
    const by = new Map(doc.packages.map((p) => [p.name, p.annotations]));
    expect(by.get('a')).toEqual([{ annotationDate: '2020-11-10T00:00:00Z', annotationType: 'OTHER', annotator: 'Tool: rootfs-assemble',
      comment: 'rpm signature: verified with key 24c6a8a7f4a80eb5 (fingerprint 6341ab2753d78a78a7c27bb124c6a8a7f4a80eb5, key file RPM-GPG-KEY-CentOS-7)' }]);
    expect(by.get('b')).toEqual([expect.objectContaining({ comment: 'rpm signature: NOT verified (no key given for the --repofrompath repo (--gpgkey))' })]);
    expect(by.get('c')).toBeUndefined();
  });
  it('the document namespace changes with what was verified, and only then', () => {
    const doc = (signature?: Parameters<typeof signatureComment>[0]) => buildSbom({
      distro: { id: 'centos', version: '7' }, created: '2020-11-10T00:00:00.000Z', packages: [pkg('a', signature)],
    }).documentNamespace;
    const plain = doc();
    const off = doc({ verified: false, reason: 'nogpgcheck' });
    expect(off).not.toBe(plain);
    expect(doc({ verified: false, reason: 'nogpgcheck' })).toBe(off);
    expect(doc({ verified: true, keys: [{ keyId: '24c6a8a7f4a80eb5', fingerprint: 'f'.repeat(40), file: 'K' }] })).not.toBe(off);
  });
  it('words each reason', () => {
    expect(signatureComment({ verified: false, reason: 'nogpgcheck' })).toBe('rpm signature: NOT verified (--nogpgcheck)');
    expect(signatureComment({ verified: false, reason: 'gpgcheck-off' })).toBe('rpm signature: NOT verified (gpgcheck is off for the repo)');
  });
});
