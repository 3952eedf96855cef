// Round trips over real rpmdbs (../shared/realdata/rpmdb): read every blob, write a database of the
// same flavour, and check blobs byte-identical, rpm's package list identical, and (where the
// original has them) our index rows equal to the ones real rpm wrote.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getPackagesNdb } from '@snyk/rpm-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { readBdb } from '../../src/rpmdb/bdb/read.js';
import { getU32 } from '../../src/rpmdb/bytes.js';
import { eraOf } from '../../src/rpmdb/era.js';
import { readRpmdbEntries } from '../../src/rpmdb/read.js';
import { writeRpmdbBlobs } from '../../src/rpmdb/write.js';
import type { RpmdbTarget } from '../../src/types/index.js';
import { REALDATA, hasTool, run, rpmQuery, tempDir } from './tools.js';

const DIR = join(REALDATA, 'rpmdb');
const HAVE = existsSync(DIR);
if (!HAVE) console.warn(`SKIP roundtrip.test: ${DIR} is absent (the shared realdata folder)`);
const HAVE_RPM = hasTool('rpm') && hasTool('sqlite3');
if (!HAVE_RPM) console.warn('SKIP roundtrip.test rpm comparisons: rpm/sqlite3 missing');

const CASES: { dir: string; target: RpmdbTarget; indexes: boolean }[] = [
  { dir: 'rhel-8.0-bdb', target: { flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion: '4.14.2' }, indexes: true },
  { dir: 'fedora-26-bdb', target: { flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion: '4.13.0' }, indexes: false },
  { dir: 'ubi8-libuuid-bdb', target: { flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion: '4.14.2' }, indexes: false },
  { dir: 'mariner-2.0-sqlite', target: { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.18.0' }, indexes: true },
  { dir: 'al2023-sqlite', target: { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.16.1' }, indexes: true },
  { dir: 'sle15-ndb', target: { flavour: 'ndb', path: '/usr/lib/sysimage/rpm', rpmVersion: '4.14.3' }, indexes: false },
];
const QF = '%{NEVRA} %{INSTALLTIME} %{SIGMD5} %{SHA1HEADER}\\n';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** index rows as "key-hex blobsha idx" lines, instance numbers replaced by the blob they name */
function bdbRows(dir: string, name: string, blobOf: Map<number, string>): string[] {
  const f = readBdb(new Uint8Array(readFileSync(join(dir, name))));
  const out: string[] = [];
  for (const [k, v] of f.pairs) {
    for (let i = 0; i + 8 <= v.length; i += 8) out.push(`${Buffer.from(k).toString('hex')} ${blobOf.get(getU32(v, i, f.endian))} ${getU32(v, i + 4, f.endian)}`);
  }
  return out.sort();
}
function sqliteRows(db: string, name: string, blobOf: Map<number, string>): string[] {
  const r = run('sqlite3', [`file:${db}?immutable=1`, `select hex(key), hnum, idx from '${name}'`]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [k, h, i] = l.split('|');
      return `${k!.toLowerCase()} ${blobOf.get(Number(h))} ${i}`;
    })
    .sort();
}

describe.skipIf(!HAVE).each(CASES)('round trip $dir', ({ dir, target, indexes }) => {
  const src = join(DIR, dir);
  const t = tempDir(`rt-${dir}`);
  afterAll(t.cleanup);

  it('blobs byte-identical, same packages for rpm, same index rows as real rpm', async () => {
    const orig = await readRpmdbEntries(src);
    expect(orig.length).toBeGreaterThan(0);
    const files = await writeRpmdbBlobs(target, orig.map((e) => e.blob));
    const out = join(t.dir, 'db');
    mkdirSync(out, { recursive: true });
    for (const f of files) writeFileSync(join(out, f.path), f.data);

    const back = await readRpmdbEntries(out);
    expect(back).toHaveLength(orig.length);
    back.forEach((b, i) => expect(Buffer.from(b.blob).equals(Buffer.from(orig[i]!.blob)), `blob ${i + 1}`).toBe(true));

    if (target.flavour === 'ndb') {
      const a = await getPackagesNdb(readFileSync(join(src, 'Packages.db')));
      const b = await getPackagesNdb(readFileSync(join(out, 'Packages.db')));
      expect(b.error).toBeUndefined();
      expect(b.response).toEqual(a.response);
      return;
    }
    if (!HAVE_RPM) return;
    let srcDb = src;
    if (target.flavour === 'sqlite') {
      srcDb = join(t.dir, 'orig');
      cpSync(src, srcDb, { recursive: true });
      cpSync(out, join(t.dir, 'copy'), { recursive: true });
    }
    const ours = target.flavour === 'sqlite' ? join(t.dir, 'copy') : out;
    const want = rpmQuery(srcDb, target.flavour, ['-qa', '--qf', QF]).stdout.split('\n').sort();
    const got = rpmQuery(ours, target.flavour, ['-qa', '--qf', QF]);
    expect(got.stderr).toBe('');
    expect(got.stdout.split('\n').sort()).toEqual(want);

    if (!indexes) return;
    const origBlob = new Map(orig.map((e) => [e.hnum, sha(e.blob)]));
    const ourBlob = new Map(back.map((e) => [e.hnum, sha(e.blob)]));
    for (const spec of eraOf(target).indexes) {
      const a = target.flavour === 'sqlite' ? sqliteRows(join(src, 'rpmdb.sqlite'), spec.name, origBlob) : bdbRows(src, spec.name, origBlob);
      const b = target.flavour === 'sqlite' ? sqliteRows(join(out, 'rpmdb.sqlite'), spec.name, ourBlob) : bdbRows(out, spec.name, ourBlob);
      expect(b, spec.name).toEqual(a);
    }
  });
});
