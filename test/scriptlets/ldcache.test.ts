// ldconfig emulation against the host's ldconfig as an oracle: the same libraries laid out
// EL-style (/usr/lib64, /lib64 -> usr/lib64, an ld.so.conf.d directory), then both caches
// listed with `ldconfig -p -C` and both sets of SONAME links compared.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync as readFileSyncBuf, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emulateScriptlets } from '../../src/scriptlets/index.js';
import { libcmp, readElf } from '../../src/scriptlets/commands/ldcache.js';
import { SDE, baseImage, pkg } from './helpers.js';

const HOST_LIBS = '/lib/x86_64-linux-gnu';
const canRun = spawnSync('ldconfig', ['--version']).status === 0 && existsSync(HOST_LIBS);
if (!canRun) console.warn('skipping the ldconfig oracle test: no host ldconfig or x86_64 libraries');

describe('libcmp and ELF reading', () => {
  it('compares digit runs numerically, as _dl_cache_libcmp', () => {
    expect(libcmp('libfoo.so.10', 'libfoo.so.9')).toBeGreaterThan(0);
    expect(libcmp('libfoo.so.1', 'libfoo.so.1')).toBe(0);
    expect(libcmp('liba.so', 'libb.so')).toBeLessThan(0);
    expect(libcmp('libz.so.1', 'libz.so')).toBeGreaterThan(0);
  });
  it('rejects what is not a shared ELF object', () => {
    expect(readElf(new TextEncoder().encode('#!/bin/sh\n'.padEnd(64, ' ')))).toBeUndefined();
  });
});

describe.skipIf(!canRun)('ldconfig emulation vs host ldconfig', () => {
  it('writes a cache ldconfig -p reads identically, and the same SONAME links', () => {
    const real = readdirSync(HOST_LIBS).filter((f) => /^lib[a-z0-9_+-]+\.so\.\d+(\.\d+)+$/.test(f) && lstatSync(join(HOST_LIBS, f)).isFile()).slice(0, 12);
    expect(real.length).toBeGreaterThan(4);
    const [dup, ...rest] = real as [string, ...string[]];
    const layout: [string, string][] = [[`/usr/lib64/${dup}`, dup], [`/usr/lib64/mysql/${dup}`, dup]];
    rest.forEach((f, i) => layout.push([`${i % 2 ? '/usr/lib64' : '/usr/lib64/mysql'}/${f}`, f]));
    const conf = 'include ld.so.conf.d/*.conf\n';
    const confD = '/usr/lib64/mysql\n';

    // ours
    const t = baseImage(7);
    t.symlink('usr/lib64', '/lib64');
    t.writeFile('/etc/ld.so.conf', conf);
    t.writeFile('/etc/ld.so.conf.d/mysql-x86_64.conf', confD);
    for (const [p, f] of layout) t.writeFile(p, execFileSync('cat', [join(HOST_LIBS, f)]), { mode: 0o755 });
    const r = emulateScriptlets([pkg({ name: 'mysql-libs', scripts: [{ kind: 'post', prog: ['/sbin/ldconfig'], body: '' }] })], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(r.emulated.at(-1)).toMatchObject({ nevra: '(transaction)', scriptlet: 'ldconfig' });

    // host ldconfig on the same tree; EL's system directories named explicitly (Debian's are multiarch)
    const dir = mkdtempSync(join(tmpdir(), 'rfs-ldcache-'));
    try {
      const root = join(dir, 'root');
      for (const d of ['etc/ld.so.conf.d', 'usr/lib64/mysql']) mkdirSync(join(root, d), { recursive: true });
      symlinkSync('usr/lib64', join(root, 'lib64'));
      writeFileSync(join(root, 'etc/ld.so.conf'), conf + '/lib\n/lib64\n/libx32\n/usr/lib\n/usr/lib64\n/usr/libx32\n');
      writeFileSync(join(root, 'etc/ld.so.conf.d/mysql-x86_64.conf'), confD);
      for (const [p, f] of layout) copyFileSync(join(HOST_LIBS, f), join(root, p));
      execFileSync('ldconfig', ['-r', root]);
      const ours = join(dir, 'ours.cache');
      writeFileSync(ours, t.readFile('/etc/ld.so.cache')!);
      const list = (f: string) => execFileSync('ldconfig', ['-p', '-C', f], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('\t'));
      const theirs = list(join(root, 'etc/ld.so.cache'));
      expect(list(ours)).toEqual(theirs);
      expect(theirs).toHaveLength(real.length + 1); // the duplicate is listed from both directories, conf's first
      // same SONAME links in both trees
      for (const d of ['/usr/lib64', '/usr/lib64/mysql']) {
        const hostLinks = readdirSync(join(root, d)).filter((f) => lstatSync(join(root, d, f)).isSymbolicLink()).map((f) => `${f} -> ${readlinkSync(join(root, d, f))}`).sort();
        const ourLinks = t.list(d).filter((f) => t.lstat(`${d}/${f}`)?.type === 'symlink').map((f) => `${f} -> ${t.lstat(`${d}/${f}`)!.linkTarget}`).sort();
        expect(ourLinks).toEqual(hostLinks);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!canRun)('library symlinks that climb through a symlinked directory', () => {
  // Mariner 2.0 / usrmerge layouts: /lib -> usr/lib, and links such as
  // /usr/lib/libBrokenLocale.so -> ../../lib64/libBrokenLocale.so.1, which the kernel resolves
  // from /usr/lib (".." never goes above /)
  it('resolve as the kernel does instead of failing the build', () => {
    const lib = readdirSync(HOST_LIBS).find((f) => /^libz\.so\.1\.\d/.test(f) || /^libc\.so\.6$/.test(f));
    expect(lib).toBeDefined();
    const t = baseImage(9); // /lib -> usr/lib
    t.mkdir('/lib64');
    t.writeFile(`/lib64/${lib}`, new Uint8Array(readFileSyncBuf(join(HOST_LIBS, lib!))), { mode: 0o755 });
    t.symlink(`../../../lib64/${lib}`, '/usr/lib/libclimb.so');
    const r = emulateScriptlets([pkg({ name: 'glibc', scripts: [{ kind: 'post', body: '/sbin/ldconfig' }] })], t, { sourceDateEpoch: SDE });
    expect(r.skipped).toEqual([]);
    expect(r.emulated.find((e) => e.nevra === '(transaction)')?.actions.at(-1)).toMatch(/^wrote \/etc\/ld.so.cache \(\d+ libraries\)$/);
  });
});
