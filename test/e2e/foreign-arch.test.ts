// Foreign-architecture images from an x86_64 host, one per arch, from the arches fixture repo (real
// glibc libraries of each machine): the rpmdb read by Debian's rpm (big-endian BDB for s390x and
// ppc64, checked by db5.3_verify too), ld.so.cache read by an independent Python reader of
// glibc's format (and by the host's ldconfig for the little-endian ones), the OCI platform, and
// the libraries' machine by `file`.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesAvailable } from '../helpers/fixtures.js';
import { have, rpmQuery, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e foreign-arch] skipped: ${avail.reason}`);

interface Case {
  arch: string; rpmArch: string; rpmdb: 'sqlite' | 'bdb-hash-v9'; bigEndian: boolean;
  libdir: string; ld: string; libcFlags: number; platform: { architecture: string; variant?: string };
  /** `file`'s words for the machine */
  machine: RegExp; ldconfigTag?: string;
}

const CASES: Case[] = [
  { arch: 'aarch64', rpmArch: 'aarch64', rpmdb: 'sqlite', bigEndian: false, libdir: '/usr/lib64', ld: 'ld-linux-aarch64.so.1', libcFlags: 0x0a03, platform: { architecture: 'arm64', variant: 'v8' }, machine: /64-bit LSB .*ARM aarch64/, ldconfigTag: 'libc6,AArch64' },
  { arch: 'ppc64le', rpmArch: 'ppc64le', rpmdb: 'bdb-hash-v9', bigEndian: false, libdir: '/usr/lib64', ld: 'ld64.so.2', libcFlags: 0x0503, platform: { architecture: 'ppc64le' }, machine: /64-bit LSB .*PowerPC/, ldconfigTag: 'libc6,64bit' },
  { arch: 's390x', rpmArch: 's390x', rpmdb: 'bdb-hash-v9', bigEndian: true, libdir: '/usr/lib64', ld: 'ld64.so.1', libcFlags: 0x0403, platform: { architecture: 's390x' }, machine: /64-bit MSB .*S\/390/ },
  { arch: 'ppc64', rpmArch: 'ppc64', rpmdb: 'bdb-hash-v9', bigEndian: true, libdir: '/usr/lib64', ld: 'ld64.so.1', libcFlags: 0x0503, platform: { architecture: 'ppc64' }, machine: /64-bit MSB .*PowerPC/ },
  // the i386 basearch installs i686 packages, as yum on an i686 machine
  { arch: 'i386', rpmArch: 'i686', rpmdb: 'sqlite', bigEndian: false, libdir: '/usr/lib', ld: 'ld-linux.so.2', libcFlags: 0x0003, platform: { architecture: '386' }, machine: /32-bit LSB .*Intel 80386/, ldconfigTag: 'libc6' },
  { arch: 'armhfp', rpmArch: 'armv7hl', rpmdb: 'sqlite', bigEndian: false, libdir: '/usr/lib', ld: 'ld-linux-armhf.so.3', libcFlags: 0x0903, platform: { architecture: 'arm', variant: 'v7' }, machine: /32-bit LSB .*ARM, EABI5/, ldconfigTag: 'libc6,hard-float' },
];

// glibc's "new" cache format (elf/cache.c): 20-byte magic, nlibs, len_strings, flags (2 little,
// 3 big), 3 pad bytes, 5 unused words; then entries {flags i32, key u32, value u32, osversion u32,
// hwcap u64}; key/value are offsets from the file start.
const READ_CACHE_PY = `
import json, struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:20] == b'glibc-ld.so.cache1.1', b[:20]
order = {2: '<', 3: '>'}[b[28]]
n, = struct.unpack_from(order + 'I', b, 20)
def s(o): return b[o:b.index(b'\\0', o)].decode()
out = []
for i in range(n):
    fl, k, v, osv, hw = struct.unpack_from(order + 'iIIIQ', b, 48 + 24 * i)
    out.append([fl, s(k), s(v)])
json.dump({'order': 'big' if order == '>' else 'little', 'entries': out}, sys.stdout)
`;

describe.skipIf(!avail.ok)('foreign-arch images (arches fixture repo)', () => {
  const env = useFixtureMirror('rfs-arch-');

  /** build an OCI layout for one arch; returns the unpacked root and the image config */
  async function build(c: Case): Promise<{ root: string; config: Record<string, unknown> }> {
    const out = join(env.dir, `${c.arch}.oci`);
    const r = await runCli(['--repofrompath', `arches,${env.mirror.repoUrl('arches')}`, '--arch', c.arch, '--rpmdb', c.rpmdb,
      'xtools', '--format', 'oci', '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: '1700000000' });
    expect(r.code, r.stderr).toBe(0);
    const blob = (d: string): string => join(out, 'blobs', ...d.split(':'));
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] };
    const config = JSON.parse(readFileSync(blob(manifest.config.digest), 'utf8')) as Record<string, unknown>;
    const root = join(env.dir, c.arch);
    mkdirSync(root);
    for (const l of manifest.layers) execFileSync('tar', ['-xf', blob(l.digest), '-C', root]);
    return { root, config };
  }

  it.each(CASES)('$arch: rpmdb, ld.so.cache, platform and ELF machine are the target\'s', async (c) => {
    const { root, config } = await build(c);
    expect({ architecture: config.architecture, variant: config.variant }).toEqual({ architecture: c.platform.architecture, variant: c.platform.variant });
    expect(config.os).toBe('linux');

    // the rpmdb, read by Debian's rpm: packages with the target's arch; -qf goes through the
    // Basenames index, whose header numbers are in the file's byte order
    const dbpath = '/var/lib/rpm';
    const backend = c.rpmdb === 'sqlite' ? 'sqlite' : 'bdb_ro';
    if (have('rpm')) {
      const qa = rpmQuery(root, dbpath, backend, ['-qa', '--qf', '%{NAME}.%{ARCH}\n']).trim().split('\n').sort();
      expect(qa).toEqual([`xlibc.${c.rpmArch}`, 'xtools.noarch']);
      expect(rpmQuery(root, dbpath, backend, ['-qf', '--qf', '%{NAME}.%{ARCH}\n', `${c.libdir}/libc.so.6`]).trim()).toBe(`xlibc.${c.rpmArch}`);
      expect(rpmQuery(root, dbpath, backend, ['-q', '--qf', '%{NAME}.%{ARCH}\n', 'xlibc']).trim()).toBe(`xlibc.${c.rpmArch}`);
    }
    if (c.rpmdb === 'bdb-hash-v9') {
      // BDB meta page magic at offset 12: the hash magic 0x00061561 in the target's byte order
      const meta = readFileSync(join(root, dbpath, 'Packages')).subarray(12, 16).toString('hex');
      expect(meta).toBe(c.bigEndian ? '00061561' : '61150600');
      if (have('db5.3_verify')) {
        for (const f of ['Packages', 'Name', 'Basenames', 'Providename']) {
          const v = spawnSync('db5.3_verify', ['-q', join(root, dbpath, f)], { encoding: 'utf8' });
          expect(v.status, `${f}: ${v.stderr}`).toBe(0);
        }
      }
    }

    // ld.so.cache: the libraries with the flags glibc's ldconfig gives this machine
    const cache = join(root, 'etc/ld.so.cache');
    const parsed = JSON.parse(execFileSync('python3', ['-c', READ_CACHE_PY, cache], { encoding: 'utf8' })) as { order: string; entries: [number, string, string][] };
    expect(parsed.order).toBe(c.bigEndian ? 'big' : 'little');
    const byKey = new Map(parsed.entries.map(([fl, k, v]) => [k, { fl, v }]));
    for (const so of ['libc.so.6', 'libdl.so.2', 'libpthread.so.0']) expect(byKey.get(so)?.v, so).toBe(`${c.libdir}/${so}`);
    // ldconfig only takes lib* and ld-* names: ld64.so.1/2 (s390x, ppc64, ppc64le) stay out, as
    // glibc 2.36's ldconfig leaves them (checked with the host's on a renamed library)
    expect(byKey.get(c.ld)?.v).toBe(c.ld.startsWith('ld-') ? `${c.libdir}/${c.ld}` : undefined);
    expect(byKey.get('libc.so.6')?.fl).toBe(c.libcFlags);
    expect(byKey.get('libdl.so.2')?.fl).toBe(c.libcFlags);
    expect(byKey.has('libc.so')).toBe(false); // the linker script
    // the SONAME link ldconfig makes for the library shipped under its file name only
    expect(readlinkSync(join(root, c.libdir, 'libdl.so.2'))).toBe('libdl-2.36.so');
    if (c.ldconfigTag) {
      const p = spawnSync('ldconfig', ['-p', '-C', cache], { encoding: 'utf8' });
      expect(p.status, p.stderr).toBe(0);
      expect(p.stdout).toContain(`\tlibc.so.6 (${c.ldconfigTag}) => ${c.libdir}/libc.so.6\n`);
    }

    // the binaries are the target machine's
    const f = execFileSync('file', ['-L', join(root, c.libdir, 'libc.so.6')], { encoding: 'utf8' });
    expect(f).toMatch(c.machine);
  }, 120_000);

  it('x86_64 takes the i686 twin as multilib: both in the rpmdb, both libcs in ld.so.cache', async () => {
    const out = join(env.dir, 'ml.tar');
    const r = await runCli(['--repofrompath', `arches,${env.mirror.repoUrl('arches')}`, '--arch', 'x86_64', '--rpmdb', 'sqlite',
      'xlibc.x86_64', 'xlibc.i686', '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q'], { SOURCE_DATE_EPOCH: '1700000000' });
    expect(r.code, r.stderr).toBe(0);
    const root = join(env.dir, 'ml');
    mkdirSync(root);
    execFileSync('tar', ['-xf', out, '-C', root]);
    if (have('rpm')) {
      const qa = rpmQuery(root, '/var/lib/rpm', 'sqlite', ['-qa', '--qf', '%{NAME}.%{ARCH}\n']).trim().split('\n').sort();
      expect(qa).toEqual(['xlibc.i686', 'xlibc.x86_64']);
    }
    const p = spawnSync('ldconfig', ['-p', '-C', join(root, 'etc/ld.so.cache')], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    expect(p.stdout).toContain('\tlibc.so.6 (libc6,x86-64) => /usr/lib64/libc.so.6\n');
    expect(p.stdout).toContain('\tlibc.so.6 (libc6) => /usr/lib/libc.so.6\n');
  }, 120_000);

  it('an arch the repo has no packages for finds nothing to install', async () => {
    const r = await runCli(['--repofrompath', `arches,${env.mirror.repoUrl('arches')}`, '--arch', 'riscv64', 'xtools', '-o', join(env.dir, 'rv.tar'), '--cache-dir', join(env.dir, 'cache'), '-q']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/xlibc/);
  });
});
