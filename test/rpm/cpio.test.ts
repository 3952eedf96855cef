// The cpio layer on go-rpmutils' raw samples, on rpm2cpio output, and in 1-byte chunks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpioReader, archiveKey, hardlinkSets, symlinkEscapesRoot, type RpmFile } from '../../src/rpm/index.js';
import { ByteReader, chunksOf, concat } from '../../src/util/bytes.js';
import { isRfsError } from '../../src/errors/index.js';
import { HAVE_REALDATA, HAVE_RPM2CPIO, RPMS, rpm2cpio } from './helpers.js';

async function list(bytes: Uint8Array, chunk: number, sizeOf?: (i: number) => number | undefined) {
  const r = new CpioReader(new ByteReader(chunksOf(bytes, chunk)), sizeOf);
  const out: { name: string; index: number; mode: number; data: string }[] = [];
  for (let e = await r.next(); e; e = await r.next()) {
    const parts: Uint8Array[] = [];
    for await (const c of r.content()) parts.push(c);
    out.push({ name: e.name, index: e.index, mode: e.mode, data: Buffer.from(concat(parts)).toString('latin1') });
  }
  return out;
}

const GO = join(RPMS, 'go-rpmutils');

describe.skipIf(!HAVE_REALDATA)('cpio samples', () => {
  it('foo.cpio: newc entries, same in 1-byte chunks', async () => {
    const b = new Uint8Array(readFileSync(join(GO, 'foo.cpio')));
    const whole = await list(b, 1 << 20);
    expect(whole[0]).toMatchObject({ name: './config', data: 'config\n' });
    expect(whole.map((e) => e.name)).toContain('./config');
    expect(await list(b, 1)).toEqual(whole);
  });

  it('dotdot.cpio: the .. name is rejected with RFS_UNSAFE_PATH', async () => {
    const b = new Uint8Array(readFileSync(join(GO, 'dotdot.cpio')));
    const [e] = await list(b, 7);
    expect(e!.name).toBe('../../aaaaaaaaa');
    let err: unknown;
    try {
      archiveKey(e!.name, 'dotdot.cpio');
    } catch (x) {
      err = x;
    }
    expect(isRfsError(err) && err.code).toBe('RFS_UNSAFE_PATH');
  });

  it('stripped.cpio: 07070X entries by header index, content size from the header', async () => {
    // rpm pads the 14-byte stripped header to 4 before the content (lib/cpio.cc)
    const b = new Uint8Array(readFileSync(join(GO, 'stripped.cpio')));
    const out = await list(b, 3, (i) => [4, 4][i]);
    expect(out.map((e) => e.index)).toEqual([0, 1]);
    expect(out[1]!.data).toBe('obar');
    // an index the header doesn't have is malformed
    let err: unknown;
    try {
      await list(b, 64, () => undefined);
    } catch (x) {
      err = x;
    }
    expect(isRfsError(err) && err.code).toBe('RFS_CPIO_MALFORMED');
  });

  it('garbage and truncation give specific errors', async () => {
    const b = new Uint8Array(readFileSync(join(GO, 'foo.cpio')));
    const codes: string[] = [];
    for (const bad of [b.subarray(0, 50), b.subarray(0, b.length - 20), Uint8Array.from([...b.subarray(0, 4), 0x58, ...b.subarray(5)])]) {
      try {
        await list(bad, 5);
        codes.push('ok');
      } catch (e) {
        codes.push(isRfsError(e) ? e.code : String(e));
      }
    }
    expect(codes).toEqual(['RFS_RPM_TRUNCATED', 'RFS_RPM_TRUNCATED', 'RFS_CPIO_MALFORMED']);
  });
});

describe.skipIf(!HAVE_REALDATA || !HAVE_RPM2CPIO)('cpio against rpm2cpio output', () => {
  it('reads the mc archive (199 entries) in random chunks', async () => {
    const a = rpm2cpio(join(RPMS, 'rpmlint/mc-4.8.15-10.3.1.x86_64.rpm'));
    expect(a).not.toBeNull();
    const bytes = new Uint8Array(a!);
    const whole = await list(bytes, 1 << 20);
    expect(whole.length).toBe(199);
    expect(await list(bytes, 333)).toEqual(whole);
  });
});

describe('path safety helpers', () => {
  it.each([
    ['./usr/bin/x', 'usr/bin/x'],
    ['usr/bin/x', 'usr/bin/x'],
    ['./etc/dir/', 'etc/dir'],
  ])('archiveKey(%s) = %s', (n, k) => expect(archiveKey(n, 's')).toBe(k));
  it.each(['/etc/passwd', './../x', 'a/../../b'])('archiveKey rejects %s', (n) => expect(() => archiveKey(n, 's')).toThrow(/reading payload/));
  it('symlink escapes', () => {
    expect(symlinkEscapesRoot('/usr/lib/a', '../../../etc/passwd')).toBe(true);
    expect(symlinkEscapesRoot('/usr/lib/a', '../../etc/passwd')).toBe(false);
    expect(symlinkEscapesRoot('/usr/lib/a', '/etc/passwd')).toBe(false);
    expect(symlinkEscapesRoot('/a', 'b/../../c')).toBe(true);
  });
});

describe('hardlinkSets', () => {
  const f = (index: number, inode: number, mode = 0o100644, flags = 0): RpmFile => ({
    index, path: `/f${index}`, mode, size: 1, mtime: 0, user: 'root', group: 'root', digest: '', linkTo: '', flags,
    verifyFlags: 0, rdev: 0, device: 1, inode, lang: '', color: 0, caps: '',
  });
  it('groups regular non-ghost files by device and inode', () => {
    const sets = hardlinkSets([f(0, 5), f(1, 6), f(2, 5), f(3, 5, 0o40755), f(4, 5, 0o100644, 64)]);
    expect(sets.get(0)).toEqual([0, 2]);
    expect(sets.get(2)).toEqual([0, 2]);
    expect(sets.has(1) || sets.has(3) || sets.has(4)).toBe(false);
  });
  it('makes no sets when the header has no inodes', () => {
    expect(hardlinkSets([f(0, 0), f(1, 0)]).size).toBe(0);
  });
});
