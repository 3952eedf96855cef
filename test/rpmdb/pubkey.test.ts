// gpg-pubkey headers: byte-identical to what rpm 4.18's --import stores, and listed by rpm in
// every flavour we write (so `rpm -qa gpg-pubkey*` shows the imported keys).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Header } from '../../src/rpm/header.js';
import { pubkeyHeaderBlob } from '../../src/rpmdb/pubkey.js';
import { readRpmdb } from '../../src/rpmdb/read.js';
import { writeRpmdbBlobs } from '../../src/rpmdb/write.js';
import type { RpmdbTarget } from '../../src/types/index.js';
import { REALDATA, hasTool, run, rpmQuery, tempDir } from './tools.js';

const KEYS = join(REALDATA, 'keys');
const HAVE = existsSync(KEYS);
if (!HAVE) console.warn(`SKIP pubkey.test: ${KEYS} is absent`);
const HAVE_RPM = hasTool('rpm') && hasTool('sqlite3');
if (!HAVE_RPM) console.warn('SKIP pubkey.test rpm comparisons: rpm/sqlite3 missing');

describe.skipIf(!HAVE)('pubkeyHeaderBlob', () => {
  const t = tempDir('pubkey');
  afterAll(t.cleanup);
  const key7 = (): string => readFileSync(join(KEYS, 'RPM-GPG-KEY-CentOS-7'), 'utf8');

  it('names the package after the key id and creation time', () => {
    const h = Header.parse(pubkeyHeaderBlob(key7(), { installTime: 1 }), { magic: false });
    expect(`${h.string(1000)}-${h.string(1001)}-${h.string(1002)}`).toBe('gpg-pubkey-f4a80eb5-53a7ff4b');
    expect(h.string(1004)).toBe('gpg(CentOS-7 Key (CentOS 7 Official Signing Key) <security@centos.org>)');
    expect(h.strings(1047)).toContain('gpg(f4a80eb5)');
  });

  it.skipIf(!HAVE_RPM)('is byte-identical to rpm 4.18 --import', () => {
    const root = join(t.dir, 'imp');
    const r = run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--import', join(KEYS, 'RPM-GPG-KEY-CentOS-7')]);
    expect(r.status, r.stderr).toBe(0);
    const hex = run('sqlite3', [join(root, 'var/lib/rpm/rpmdb.sqlite'), 'select hex(blob) from Packages']).stdout.trim();
    const want = new Uint8Array(Buffer.from(hex, 'hex'));
    const wh = Header.parse(want, { magic: false });
    const rpmVersion = wh.string(1064)!;
    const armorVersion = /\nVersion: (.*)\n/.exec(wh.string(1005)!)![1]!;
    const got = pubkeyHeaderBlob(key7(), { installTime: wh.number(1008)!, installTid: wh.number(1128)!, armorVersion }, { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion });
    expect(Buffer.from(got).toString('hex')).toBe(Buffer.from(want).toString('hex'));
  });

  // the real databases hold keys imported by rpm 4.14.2 (RHEL 8.0) and 4.16.1.3 (AL2023)
  it.skipIf(!existsSync(join(REALDATA, 'rpmdb'))).each([
    ['rhel-8.0-bdb', 'bdb-hash-v9'],
    ['al2023-sqlite', 'sqlite'],
  ] as const)('rebuilds the gpg-pubkey headers of %s byte for byte', async (dir, flavour) => {
    const blobs = (await readRpmdb(join(REALDATA, 'rpmdb', dir))).filter((b) => Header.parse(b, { magic: false }).string(1000) === 'gpg-pubkey');
    expect(blobs.length).toBeGreaterThan(0);
    for (const want of blobs) {
      const h = Header.parse(want, { magic: false });
      const armor = h.string(1005)!;
      const armorVersion = /\nVersion: (.*)\n/.exec(armor)![1]!;
      const target: RpmdbTarget = { flavour, path: '/var/lib/rpm', rpmVersion: h.string(1064)! };
      const got = pubkeyHeaderBlob(armor, { installTime: h.number(1008)!, installTid: h.number(1128)!, armorVersion }, target);
      expect(Buffer.from(got).toString('hex'), `${h.string(1001)}`).toBe(Buffer.from(want).toString('hex'));
    }
  });

  it.skipIf(!HAVE_RPM).each([
    { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.16.1' },
    { flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion: '4.11.3' },
    { flavour: 'bdb-hash-v8', path: '/var/lib/rpm', rpmVersion: '4.4.2' },
  ] as RpmdbTarget[])('rpm lists every CentOS key in a $flavour database', async (target) => {
    const names = ['2', '3', '4', '5', '6', '7'].map((n) => `RPM-GPG-KEY-CentOS-${n}`);
    const blobs = names.map((n) => pubkeyHeaderBlob(readFileSync(join(KEYS, n), 'utf8'), { installTime: 1_700_000_000 }, target));
    const dir = join(t.dir, `${target.flavour}-${target.rpmVersion}`);
    mkdirSync(dir, { recursive: true });
    for (const f of await writeRpmdbBlobs(target, blobs)) writeFileSync(join(dir, f.path), f.data);
    const out = rpmQuery(dir, target.flavour, ['-qa', 'gpg-pubkey*', '--qf', '%{NAME}-%{VERSION}-%{RELEASE} %{SUMMARY}\n']);
    expect(out.stdout.split('\n').filter(Boolean)).toHaveLength(names.length);
    const gpg = run('gpg', ['--version']).status === 0;
    if (!gpg) return;
    for (const n of names) {
      const ids = run('gpg', ['--with-colons', '--show-keys', join(KEYS, n)]).stdout;
      const keyid = /^pub:[^:]*:[^:]*:[^:]*:([0-9A-F]{16}):/m.exec(ids)?.[1]?.toLowerCase();
      if (keyid) expect(out.stdout).toContain(`gpg-pubkey-${keyid.slice(8)}-`);
    }
    if (target.flavour.startsWith('bdb')) {
      expect(rpmQuery(dir, target.flavour, ['-q', '--whatprovides', 'gpg(f4a80eb5)']).stdout).toMatch(/^gpg-pubkey-f4a80eb5-53a7ff4b$/m);
    }
  });
});
