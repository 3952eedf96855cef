import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTar, encodeCapability, fileBody } from '../../src/tar/index.js';
import type { TarEntry } from '../../src/tar/index.js';
import { Collector, entry, fileEntry, hasGnuTar, hasPython, pyList, tarBytes } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-tar-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
if (!hasPython) console.warn('SKIP: python3 tarfile not available, tar read-back tests skipped');
if (!hasGnuTar) console.warn('SKIP: GNU tar not available, tar -tvf tests skipped');

const longDir = '/opt/' + 'd'.repeat(120) + '/' + 'e'.repeat(90);
const longName = longDir + '/' + 'f'.repeat(150) + '.txt'; // > 256: needs a PAX path
const big = new Uint8Array(200_000).map((_, i) => (i * 7) & 0xff);

function sample(): TarEntry[] {
  return [
    entry('/usr', 'dir'),
    entry('/usr/bin', 'dir', { mode: 0o555 }),
    fileEntry('/usr/bin/ping', 'ELF-ish', { mode: 0o4755, xattrs: { 'security.capability': encodeCapability('cap_net_raw=ep') } }),
    fileEntry('/usr/bin/wall', 'wall', { mode: 0o2755, gid: 5, gname: 'tty' }),
    entry('/tmp', 'dir', { mode: 0o1777 }),
    fileEntry('/usr/bin/big', big, { uid: 1000, gid: 1001, uname: 'alice', gname: 'staff' }),
    entry('/usr/bin/big-link', 'hardlink', { linkTarget: '/usr/bin/big', uid: 1000, gid: 1001, uname: 'alice', gname: 'staff' }),
    entry('/usr/bin/sh', 'symlink', { linkTarget: 'bash', mode: 0o777 }),
    entry('/dev', 'dir'),
    entry('/dev/null', 'char', { mode: 0o666, devMajor: 1, devMinor: 3 }),
    entry('/dev/sda', 'block', { mode: 0o660, gid: 6, gname: 'disk', devMajor: 8, devMinor: 0 }),
    entry('/dev/initctl', 'fifo', { mode: 0o600 }),
    entry('/opt', 'dir'),
    entry(longDir, 'dir'),
    fileEntry(longName, 'long'),
    entry('/opt/long-link', 'symlink', { linkTarget: '../' + 'x/'.repeat(80) + 'target', mode: 0o777 }),
    fileEntry('/opt/ünïcödé.txt', 'utf8 name', { mtime: 0 }),
  ];
}

describe('writeTar read back by independent readers', () => {
  it.skipIf(!hasPython)('Python tarfile sees every type, mode, owner, link, device and xattr', async () => {
    const file = join(work, 'sample.tar');
    writeFileSync(file, await tarBytes(sample()));
    const m = new Map(pyList(file).map((x) => [x.name, x]));
    expect([...m.keys()]).toContain('usr/bin/ping');
    expect(m.get('usr')?.type).toBe('dir');
    expect(m.get('usr/bin')?.mode).toBe(0o555);
    const ping = m.get('usr/bin/ping');
    expect(ping?.mode).toBe(0o4755);
    expect(ping?.xattrs['security.capability']).toBe('0100000200200000000000000000000000000000');
    expect(ping?.pax.atime).toBeUndefined();
    expect(ping?.pax.ctime).toBeUndefined();
    expect(m.get('usr/bin/wall')).toMatchObject({ mode: 0o2755, gid: 5, gname: 'tty' });
    expect(m.get('tmp')?.mode).toBe(0o1777);
    expect(m.get('usr/bin/big')).toMatchObject({ uid: 1000, gid: 1001, uname: 'alice', gname: 'staff', size: big.length,
      sha256: createHash('sha256').update(big).digest('hex'), mtime: 1_700_000_000 });
    expect(m.get('usr/bin/big-link')).toMatchObject({ type: 'hardlink', linkname: 'usr/bin/big', size: 0 });
    expect(m.get('usr/bin/sh')).toMatchObject({ type: 'symlink', linkname: 'bash' });
    expect(m.get('dev/null')).toMatchObject({ type: 'char', devmajor: 1, devminor: 3, mode: 0o666 });
    expect(m.get('dev/sda')).toMatchObject({ type: 'block', devmajor: 8, devminor: 0, gname: 'disk' });
    expect(m.get('dev/initctl')).toMatchObject({ type: 'fifo', mode: 0o600 });
    expect(m.get(longName.slice(1))?.sha256).toBe(createHash('sha256').update('long').digest('hex'));
    expect(m.get(longDir.slice(1))?.type).toBe('dir');
    expect(m.get('opt/long-link')?.linkname).toBe('../' + 'x/'.repeat(80) + 'target');
    expect(m.get('opt/ünïcödé.txt')?.mtime).toBe(0);
    expect(m.size).toBe(sample().length);
  });

  it.skipIf(!hasGnuTar)('GNU tar lists it with --xattrs without complaint', async () => {
    const file = join(work, 'gnu.tar');
    writeFileSync(file, await tarBytes(sample()));
    const r = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '--numeric-owner', '-tvvf', file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^-rwsr-xr-x\* 0\/0 +7 2023-11-14 \d\d:\d\d usr\/bin\/ping\n +x: +20 security\.capability$/m);
    expect(r.stdout).toMatch(/^hrw-r--r-- +1000\/1001 +0 .* usr\/bin\/big-link link to usr\/bin\/big$/m);
    expect(r.stdout).toMatch(/^crw-rw-rw- +0\/0 +1,3 .* dev\/null$/m);
    expect(r.stdout).toMatch(/^drwxrwxrwt +0\/0 .* tmp\/$/m);
    expect(r.stdout).toContain(longName.slice(1));
  });

  it.skipIf(!hasGnuTar || process.getuid?.() !== 0)('GNU tar extracts the capability so getcap sees it (root only)', async () => {
    const file = join(work, 'caps.tar');
    writeFileSync(file, await tarBytes([
      fileEntry('/ping', 'x', { mode: 0o755, xattrs: { 'security.capability': encodeCapability('cap_net_admin,cap_net_raw+ep') } }),
    ]));
    const dest = join(work, 'caps-x');
    mkdirSync(dest);
    const x = spawnSync('tar', ['--xattrs', '--xattrs-include=*', '-xpf', file, '-C', dest], { encoding: 'utf8' });
    if (x.status !== 0 || spawnSync('getcap', ['-h'], { stdio: 'ignore' }).error) {
      console.warn(`SKIP: cannot extract xattrs or no getcap here: ${x.stderr}`);
      return;
    }
    const got = execFileSync('getcap', [join(dest, 'ping')], { encoding: 'utf8' });
    expect(got).toContain('cap_net_admin,cap_net_raw=ep');
  });
});

describe('writeTar framing', () => {
  it('is byte-identical for the same entries, and through a 1-byte, slow consumer', async () => {
    const a = await tarBytes(sample());
    const b = await tarBytes(sample());
    expect(a.equals(b)).toBe(true);
    async function* oneByteBodies(): AsyncIterable<TarEntry> {
      for (const e of sample()) {
        if (e.type !== 'file' || !e.body) { yield e; continue; }
        const bytes = e.body() as Uint8Array;
        yield { ...e, body: async function* () { for (const x of bytes) yield Uint8Array.of(x); } };
      }
    }
    const c = await tarBytes(oneByteBodies, { highWaterMark: 1, delay: true });
    expect(c.equals(a)).toBe(true);
    expect(a.length % 512).toBe(0);
    expect(a.subarray(a.length - 1024).every((x) => x === 0)).toBe(true);
  });

  it('sorts PAX records and writes no atime/ctime, whatever the xattr order', async () => {
    const x1 = { 'user.b': Uint8Array.of(1), 'security.capability': encodeCapability('cap_chown=ep'), 'user.a': Uint8Array.of(0xff) };
    const x2 = { 'user.a': Uint8Array.of(0xff), 'user.b': Uint8Array.of(1), 'security.capability': encodeCapability('cap_chown=ep') };
    const a = await tarBytes([fileEntry('/f', 'x', { xattrs: x1 })]);
    const b = await tarBytes([fileEntry('/f', 'x', { xattrs: x2 })]);
    expect(a.equals(b)).toBe(true);
    const text = a.toString('latin1');
    expect(text.indexOf('SCHILY.xattr.security.capability')).toBeLessThan(text.indexOf('SCHILY.xattr.user.a'));
    expect(text).not.toMatch(/atime|ctime/);
  });

  it('rejects a body whose length differs from size', async () => {
    await expect(tarBytes([entry('/f', 'file', { size: 10, body: () => new Uint8Array(9) })])).rejects.toMatchObject({ code: 'RFS_OUTPUT' });
    await expect(tarBytes([entry('/f', 'file', { size: 1, body: () => new Uint8Array(2) })])).rejects.toMatchObject({ code: 'RFS_OUTPUT' });
  });

  it('rejects a hardlink to a file not yet written, and unsafe paths', async () => {
    await expect(tarBytes([entry('/a', 'hardlink', { linkTarget: '/b' })])).rejects.toMatchObject({ code: 'RFS_INTERNAL' });
    await expect(tarBytes([fileEntry('/../etc/passwd', 'x')])).rejects.toMatchObject({ code: 'RFS_UNSAFE_PATH' });
    await expect(tarBytes([entry('/', 'dir')])).rejects.toMatchObject({ code: 'RFS_UNSAFE_PATH' });
  });

  it('stops with RFS_ABORTED when the signal fires mid-body', async () => {
    const ac = new AbortController();
    const out = new Collector({ highWaterMark: 1, delay: true });
    let sent = 0;
    const body = async function* (): AsyncIterable<Uint8Array> {
      for (;;) {
        sent++;
        if (sent === 5) ac.abort();
        yield new Uint8Array(1000);
      }
    };
    await expect(writeTar([entry('/f', 'file', { size: 1e6, body })], out, { signal: ac.signal })).rejects.toMatchObject({ code: 'RFS_ABORTED' });
    expect(sent).toBeLessThan(10);
  });

  it('fails with RFS_OUTPUT when the destination errors', async () => {
    const out = new Collector();
    let n = 0;
    out._write = (_c, _e, cb) => { n++; cb(n > 2 ? new Error('ENOSPC: no space left on device') : null); };
    const files = Array.from({ length: 20 }, (_, i) => fileEntry(`/f${i}`, new Uint8Array(70_000)));
    await expect(writeTar(files, out)).rejects.toMatchObject({ code: 'RFS_OUTPUT', message: expect.stringContaining('ENOSPC') });
  });
});

describe('writeTar numeric edge cases', () => {
  it.skipIf(!hasPython)('large ids and negative/huge mtimes go to PAX records readers honour', async () => {
    const file = join(work, 'edge.tar');
    writeFileSync(file, await tarBytes([
      fileEntry('/big-ids', 'x', { uid: 3_000_000, gid: 4_000_000, uname: 'u'.repeat(40), gname: 'g' }),
      fileEntry('/old', 'x', { mtime: -86_400 }),
      fileEntry('/future', 'x', { mtime: 2 ** 34 }),
    ]));
    const m = new Map(pyList(file).map((x) => [x.name, x]));
    expect(m.get('big-ids')).toMatchObject({ uid: 3_000_000, gid: 4_000_000, uname: 'u'.repeat(40) });
    expect(m.get('old')?.mtime).toBe(-86_400);
    expect(m.get('future')?.mtime).toBe(2 ** 34);
  });

  it('rejects fractional mtimes and impossible device numbers', async () => {
    await expect(tarBytes([fileEntry('/f', 'x', { mtime: 1.5 })])).rejects.toMatchObject({ code: 'RFS_INTERNAL' });
    await expect(tarBytes([entry('/d', 'char', { devMajor: 2 ** 30 })])).rejects.toMatchObject({ code: 'RFS_INTERNAL' });
  });
});

describe('fileBody', () => {
  it('yields exactly the requested range, in chunks writeTar accepts', async () => {
    const src = join(work, 'src.bin');
    const data = new Uint8Array(3 * 1024 * 1024 + 17).map((_, i) => (i * 13) & 0xff);
    writeFileSync(src, data);
    const chunks: Uint8Array[] = [];
    for await (const c of fileBody(src, 100, 2_500_000)()) chunks.push(c);
    expect(Buffer.concat(chunks).equals(Buffer.from(data.subarray(100, 2_500_100)))).toBe(true);
    let whole = 0;
    for await (const c of fileBody(src)()) whole += c.length;
    expect(whole).toBe(data.length);
    await expect(tarBytes([entry('/short', 'file', { size: data.length + 1, body: fileBody(src) })])).rejects.toMatchObject({ code: 'RFS_OUTPUT' });
  });
});
