// Era choices: hash version and per-index access method per distro definition, rich-dep names.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDistro } from '../../src/repos/index.js';
import { readBdb } from '../../src/rpmdb/bdb/read.js';
import { eraOf, transactionColor } from '../../src/rpmdb/era.js';
import { skipRequire } from '../../src/rpmdb/indexes.js';
import { pubkeyHeaderBlob } from '../../src/rpmdb/pubkey.js';
import { richDepNames } from '../../src/rpmdb/richdep.js';
import { writeRpmdbBlobs } from '../../src/rpmdb/write.js';

// a gpg-pubkey pseudo package needs no package file: a fine single header for layout checks
const KEY = readFileSync(resolve(__dirname, '../../repos/keys/RPM-GPG-KEY-CentOS-4'), 'utf8');

describe('distro definitions pick the rpmdb layout their rpm reads', () => {
  const cases: [string, 8 | 9, Record<string, 'hash' | 'btree'>][] = [
    ['centos:4.9', 8, { Name: 'hash', Basenames: 'hash', Dirnames: 'btree', Installtid: 'btree', Requireversion: 'btree', Filemd5s: 'hash', Pubkeys: 'hash' }],
    ['centos:5.11', 8, { Name: 'hash', Dirnames: 'btree', Provideversion: 'btree', Filemd5s: 'hash' }],
    ['centos:6.10', 9, { Name: 'hash', Obsoletename: 'hash', Dirnames: 'btree', Filedigests: 'hash' }],
    ['centos:7.9.2009', 9, { Name: 'btree', Basenames: 'btree', Sigmd5: 'btree' }],
  ];
  it.each(cases)('%s: hash v%i Packages and the era index files', async (tag, version, kinds) => {
    const target = loadDistro(tag).rpmdb;
    const blob = pubkeyHeaderBlob(KEY, { installTime: 1 }, target);
    const files = await writeRpmdbBlobs(target, [blob]);
    const byName = new Map(files.map((f) => [f.path, readBdb(f.data)]));
    expect(byName.get('Packages')).toMatchObject({ kind: 'hash', version });
    for (const [name, kind] of Object.entries(kinds)) expect(byName.get(name)?.kind, name).toBe(kind);
    const pubkeys = byName.get('Pubkeys');
    if (pubkeys) {
      // rpm <= 4.8 indexes the 8-byte key id of each PUBKEYS entry (gpg --show-keys: A53D0BAB443E1821)
      expect(pubkeys.pairs.map(([k]) => Buffer.from(k).toString('hex'))).toEqual(['a53d0bab443e1821']);
    }
    expect(files.map((f) => f.path).sort()).toEqual(['Packages', ...eraOf(target).indexes.map((i) => i.name)].sort());
  });
});

describe('rich dependency names (rpm 4.13+ updateRichDep)', () => {
  it.each([
    ['(foo if bar)', ['foo', '!bar']],
    ['(baz unless qux else quux)', ['baz', 'quux', 'qux', '!qux']],
    ['(aa or bb)', ['aa', 'bb']],
    ['(tpkg and (x with y))', ['tpkg', 'x', 'y']],
    ['(python3dist(foo) >= 1.0 with python3dist(foo) < 2)', ['python3dist(foo)']],
    ['(rpmlib(RichDependencies) or a)', ['a']],
    ['(a or', []],
    ['(a and b or c)', []],
  ])('%s', (dep, want) => {
    expect(richDepNames(dep)).toEqual(want);
  });
});

describe('Requirename filters by era', () => {
  const era = (rpmVersion: string) => eraOf({ flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion });
  const PRE = 1 << 9;
  const PREUN = 1 << 11;
  const PRETRANS = 1 << 7;
  it('Requires(pre) is not indexed in any era, Requires(pre,preun) only where erase prereqs count', () => {
    for (const v of ['4.3.3', '4.8.0', '4.18.0']) expect(skipRequire(PRE, era(v))).toBe(true);
    expect(skipRequire(PRE | PREUN, era('4.3.3'))).toBe(true);
    expect(skipRequire(PRE | PREUN, era('4.8.0'))).toBe(false);
    expect(skipRequire(PRETRANS, era('4.3.3'))).toBe(false);
    expect(skipRequire(PRETRANS, era('4.18.0'))).toBe(true);
    expect(skipRequire(PRE | (1 << 29), era('4.18.0'))).toBe(false);
  });
});

describe('INSTALLCOLOR', () => {
  it('is 3 on 64-bit multilib arches (as RHEL 8 x86_64 and Mariner databases record), 0 on 32-bit', () => {
    expect(['x86_64', 'aarch64', 'ppc64le', 's390x'].map(transactionColor)).toEqual([3, 3, 3, 3]);
    expect(['i386', 'i686', 'armv7hl'].map(transactionColor)).toEqual([0, 0, 0]);
  });
});
