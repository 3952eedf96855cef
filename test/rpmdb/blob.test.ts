// Header blobs byte-identical to what Debian's rpm 4.18 stores on install (formats.md §1.8).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Header } from '../../src/rpm/header.js';
import { buildHeaderBlob } from '../../src/rpmdb/blob.js';
import { FILE_STATE } from '../../src/rpmdb/types.js';
import type { RpmdbTarget } from '../../src/types/index.js';
import { HAVE_RPMBUILD, buildTestPackages, rpmHeaders } from './pkgs.js';
import { REALDATA, hasTool, run, tempDir } from './tools.js';

const OK = HAVE_RPMBUILD && hasTool('rpm') && hasTool('sqlite3');
if (!OK) console.warn('SKIP blob.test: needs rpmbuild, rpm and sqlite3 (apt-get install rpm sqlite3)');
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT) console.warn('SKIP blob.test --excludedocs case: a real rpm install into a temp root needs root');
const TARGET: RpmdbTarget = { flavour: 'sqlite', path: '/var/lib/rpm', rpmVersion: '4.18.0' };

/** installs with rpm --justdb and returns NAME -> stored blob */
function rpmInstall(root: string, rpms: string[], extra: string[] = ['--justdb']): Map<string, Uint8Array> {
  const r = run('rpm', ['--root', root, '--dbpath', '/var/lib/rpm', '--nodeps', '--noscripts', '--notriggers', ...extra, '-i', ...rpms]);
  expect(r.status, r.stderr).toBe(0);
  const q = run('sqlite3', [join(root, 'var/lib/rpm/rpmdb.sqlite'), 'select hex(blob) from Packages order by hnum']);
  expect(q.status, q.stderr).toBe(0);
  const out = new Map<string, Uint8Array>();
  for (const line of q.stdout.trim().split('\n')) {
    const blob = new Uint8Array(Buffer.from(line, 'hex'));
    out.set(Header.parse(blob, { magic: false }).string(1000)!, blob);
  }
  return out;
}

const installOpts = (stored: Uint8Array): { installTime: number; installTid: number; installColor: number } => {
  const h = Header.parse(stored, { magic: false });
  return { installTime: h.number(1008)!, installTid: h.number(1128)!, installColor: h.number(1127)! };
};

describe.skipIf(!OK)('buildHeaderBlob vs rpm 4.18', () => {
  let rpms: Record<string, string> = {};
  const t = tempDir('blob');
  beforeAll(() => {
    rpms = buildTestPackages();
  });
  afterAll(t.cleanup);

  it('every test package: byte-identical blob (signature tags, FILESTATES, install tags, INSTPREFIXES)', () => {
    const stored = rpmInstall(join(t.dir, 'all'), Object.values(rpms));
    expect([...stored.keys()].sort()).toEqual(Object.keys(rpms).sort());
    for (const [name, path] of Object.entries(rpms)) {
      const want = stored.get(name)!;
      const got = buildHeaderBlob(rpmHeaders(path), TARGET, installOpts(want));
      expect(Buffer.from(got).equals(Buffer.from(want)), `${name} blob differs`).toBe(true);
    }
  });

  // a real (non --justdb) install: rpm only records NOTINSTALLED for files it actually skipped
  it.skipIf(!IS_ROOT)('--excludedocs and _install_langs: dropped files recorded NOTINSTALLED, as rpm does', () => {
    const stored = rpmInstall(join(t.dir, 'nodocs'), [rpms.ttrig!, rpms.tpkg!], ['--excludedocs', '--define', '_install_langs en']);
    for (const name of ['ttrig', 'tpkg']) {
      const pkg = rpmHeaders(rpms[name]!);
      const h = Header.parse(pkg.headerBytes);
      const langs = h.strings(1097);
      const states = new Uint8Array(h.numbers(1037).map((f, i) => (f & 2 || (langs[i] ?? '') === 'de' ? FILE_STATE.NOTINSTALLED : FILE_STATE.NORMAL)));
      expect(states.some((s) => s === FILE_STATE.NOTINSTALLED)).toBe(true);
      const want = stored.get(name)!;
      const got = buildHeaderBlob({ ...pkg, fileStates: states }, TARGET, installOpts(want));
      expect(Buffer.from(got).equals(Buffer.from(want)), `${name} blob differs`).toBe(true);
    }
  });

  // rpm's own test suite has a v3 package (no header region): legacy region 61, compressed file
  // list, self-provide appended to the region's provides
  const V3 = join(REALDATA, 'rpms/rpm-testsuite/hello-1.0-1.x86_64.rpm-v3');
  it.skipIf(!existsSync(V3))('v3 package: legacy HEADERIMAGE blob byte-identical', () => {
    const stored = rpmInstall(join(t.dir, 'v3'), [V3]);
    const want = stored.get('hello')!;
    const got = buildHeaderBlob(rpmHeaders(V3), TARGET, installOpts(want));
    expect(Buffer.from(got).toString('hex')).toBe(Buffer.from(want).toString('hex'));
  });

  it('rpm <= 4.15 signature merging (every sig tag in [256,1000) + renames) gives the same blob for v4 packages', () => {
    for (const path of Object.values(rpms)) {
      const pkg = rpmHeaders(path);
      const opts = { installTime: 5, installColor: 3 };
      const modern = buildHeaderBlob(pkg, TARGET, opts);
      for (const rpmVersion of ['4.14.3', '4.11.3', '4.8.0', '4.4.2']) {
        const old = buildHeaderBlob(pkg, { flavour: 'bdb-hash-v9', path: '/var/lib/rpm', rpmVersion }, opts);
        expect(Buffer.from(old).equals(Buffer.from(modern)), `${path} for ${rpmVersion}`).toBe(true);
      }
    }
  });

  it('rejects a file-state array of the wrong length', () => {
    expect(() => buildHeaderBlob({ ...rpmHeaders(rpms.tpkg!), fileStates: new Uint8Array(1) }, TARGET, { installTime: 1 })).toThrow(/file states/);
  });
});
