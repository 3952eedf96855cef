// The tar reader against archives written by GNU tar and Python's tarfile (independent writers),
// compared member by member with Python's own reading, plus hostile archives.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar, decodeCapability, MAX_META_RECORD } from '../../src/tar/index.js';
import type { ReadTarOptions, TarMember } from '../../src/tar/index.js';
import { hasGnuTar, hasPython, pyList } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'rfs-tarread-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
if (!hasPython) console.warn('SKIP: python3 tarfile not available, tar reader comparisons skipped');
if (!hasGnuTar) console.warn('SKIP: GNU tar not available, GNU-format reader tests skipped');

async function* chunks(b: Uint8Array, size = 777): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

interface Read { m: TarMember; sha256: string | null }
async function readAll(file: string, opts: ReadTarOptions = {}): Promise<Read[]> {
  const out: Read[] = [];
  for await (const rec of readTar(chunks(readFileSync(file)), opts)) {
    let sha: string | null = null;
    if (rec.member.type === 'file') {
      const h = createHash('sha256');
      for await (const c of rec.body()) h.update(c);
      sha = h.digest('hex');
    }
    out.push({ m: rec.member, sha256: sha });
  }
  return out;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a failure');
}

const PY_MAKE = `
import sys, tarfile, io
fmt = {'pax': tarfile.PAX_FORMAT, 'gnu': tarfile.GNU_FORMAT, 'ustar': tarfile.USTAR_FORMAT}[sys.argv[2]]
t = tarfile.open(sys.argv[1], 'w', format=fmt)
def add(name, type, data=b'', **kw):
    i = tarfile.TarInfo(name); i.type = type; i.size = len(data) if type == tarfile.REGTYPE else 0
    i.mtime = kw.pop('mtime', 1700000000)
    for k, v in kw.items(): setattr(i, k, v)
    t.addfile(i, io.BytesIO(data) if type == tarfile.REGTYPE else None)
add('usr', tarfile.DIRTYPE, mode=0o755)
add('usr/bin/ping', tarfile.REGTYPE, b'ping-bytes', mode=0o4755, uid=0, gid=0, uname='root', gname='root')
add('usr/bin/ping2', tarfile.LNKTYPE, linkname='usr/bin/ping')
add('usr/bin/sh', tarfile.SYMTYPE, linkname='bash', mode=0o777)
add('dev/null', tarfile.CHRTYPE, devmajor=1, devminor=3, mode=0o666)
add('dev/sda', tarfile.BLKTYPE, devmajor=8, devminor=0, mode=0o660)
add('run/fifo', tarfile.FIFOTYPE, mode=0o600)
add(sys.argv[3], tarfile.REGTYPE, b'long' * 1000, uid=4000000 if sys.argv[2] != 'ustar' else 70000, gid=70001, uname='u', gname='g')
add('big-ids', tarfile.REGTYPE, b'', uid=2**40 if sys.argv[2] == 'gnu' else 5, mtime=2**36 if sys.argv[2] != 'ustar' else 5)
add('lnk-long', tarfile.SYMTYPE, linkname='t/' + 'z' * 300 if sys.argv[2] != 'ustar' else 'short')
t.close()
`;

describe.skipIf(!hasPython)('readTar against Python tarfile archives', () => {
  for (const fmt of ['pax', 'gnu', 'ustar']) {
    it(`reads every member of a ${fmt} archive as tarfile does`, async () => {
      const file = join(work, `py-${fmt}.tar`);
      const long = fmt === 'ustar' ? `home/${'x'.repeat(40)}/${'y'.repeat(90)}` : `home/${'x'.repeat(200)}/${'y'.repeat(150)}`;
      execFileSync('python3', ['-c', PY_MAKE, file, fmt, long]);
      const got = await readAll(file);
      const want = pyList(file);
      expect(got.map((g) => g.m.path)).toEqual(want.map((w) => w.name));
      got.forEach(({ m, sha256 }, i) => {
        const w = want[i]!;
        expect({ type: m.type, mode: m.mode, uid: m.uid, gid: m.gid, uname: m.uname, gname: m.gname, size: m.size, mtime: m.mtime })
          .toEqual({ type: w.type, mode: w.mode, uid: w.uid, gid: w.gid, uname: w.uname, gname: w.gname, size: w.size, mtime: w.mtime });
        expect(m.linkTarget ?? '').toBe(w.linkname);
        if (m.type === 'char' || m.type === 'block') expect([m.devMajor, m.devMinor]).toEqual([w.devmajor, w.devminor]);
        expect(sha256).toBe(w.sha256);
      });
      // the body offset addresses the bytes in the file itself
      const bytes = readFileSync(file);
      const ping = got.find((g) => g.m.path === 'usr/bin/ping')!.m;
      expect(bytes.subarray(ping.offset, ping.offset + ping.size).toString()).toBe('ping-bytes');
    });
  }

  it('reads pax xattrs as raw bytes (security.capability >= 0x80 survives)', async () => {
    const file = join(work, 'caps.tar');
    execFileSync('python3', ['-c', `
import tarfile, io
cap = bytes([0x01,0,0,0x02, 0x00,0x20,0,0, 0,0,0,0, 0,0,0,0, 0,0,0,0]).decode('utf-8', 'surrogateescape')
t = tarfile.open('${file}', 'w', format=tarfile.PAX_FORMAT)
i = tarfile.TarInfo('bin/ping'); i.size = 1; i.pax_headers = {'SCHILY.xattr.security.capability': cap, 'SCHILY.xattr.user.x': 'caf\\u00e9'}
t.addfile(i, io.BytesIO(b'p')); t.close()`]);
    const [r] = await readAll(file);
    expect(decodeCapability(r!.m.xattrs['security.capability']!)).toEqual({ effective: true, permitted: ['cap_net_raw'], inheritable: [] });
    expect(Buffer.from(r!.m.xattrs['user.x']!).toString()).toBe('café');
  });

  it('applies a global pax header to later members, a local one overriding it', async () => {
    const file = join(work, 'global.tar');
    execFileSync('python3', ['-c', `
import tarfile, io
t = tarfile.open('${file}', 'w', format=tarfile.PAX_FORMAT, pax_headers={'uname': 'globaluser', 'mtime': '1234.5'})
for n in ['a', 'b']:
    i = tarfile.TarInfo(n); i.uname = 'globaluser'; i.mtime = 1234
    t.addfile(i, io.BytesIO(b''))
t.close()`]);
    const got = await readAll(file);
    expect(got.map((g) => [g.m.uname, g.m.mtime])).toEqual([['globaluser', 1234], ['globaluser', 1234]]);
  });
});

describe.skipIf(!hasGnuTar)('readTar against GNU tar archives', () => {
  it('reads GNU long names and long link targets, hardlinks and a directory tree', async () => {
    const root = join(work, 'gnutree');
    const deep = join(root, 'a'.repeat(120), 'b'.repeat(120));
    mkdirSync(deep, { recursive: true });
    writeFileSync(join(deep, 'f'.repeat(100)), 'deep');
    writeFileSync(join(root, 'plain'), 'x'.repeat(5000));
    linkSync(join(root, 'plain'), join(root, 'hard'));
    symlinkSync('/' + 'q'.repeat(200), join(root, 'longlink'));
    for (const fmt of ['gnu', 'posix']) {
      const file = join(work, `gnu-${fmt}.tar`);
      execFileSync('tar', ['--format', fmt, '--sort=name', '-C', root, '-cf', file, '.']);
      const got = await readAll(file);
      const want = pyList(file);
      expect(got.map((g) => g.m.path)).toEqual(want.map((w) => w.name.replace(/\/$/, '')));
      const hard = got.find((g) => g.m.path === './hard' || g.m.path === './plain');
      expect(hard?.m.type).toBe('file');
      expect(got.find((g) => g.m.type === 'hardlink')?.m.linkTarget).toMatch(/^\.\/(plain|hard)$/);
      expect(got.find((g) => g.m.path === './longlink')?.m.linkTarget).toBe('/' + 'q'.repeat(200));
      expect(got.find((g) => g.m.path.endsWith('f'.repeat(100)))?.sha256).toBe(createHash('sha256').update('deep').digest('hex'));
    }
  });
});

describe.skipIf(!hasPython)('readTar on hostile archives', () => {
  const make = (name: string, script: string): string => {
    const file = join(work, name);
    execFileSync('python3', ['-c', `import tarfile, io\nt = tarfile.open('${file}', 'w', format=tarfile.PAX_FORMAT)\n${script}\nt.close()`]);
    return file;
  };
  const one = "i = tarfile.TarInfo('f'); i.size = 3000; t.addfile(i, io.BytesIO(b'a' * 3000))";

  it('refuses a truncated archive, inside a body and at a header', async () => {
    const bytes = readFileSync(make('trunc.tar', one));
    writeFileSync(join(work, 'cut1.tar'), bytes.subarray(0, 1500));
    writeFileSync(join(work, 'cut2.tar'), bytes.subarray(0, 512 + 3072));
    for (const f of ['cut1.tar', 'cut2.tar']) {
      const e = await failure(readAll(join(work, f)));
      expect(e.code).toBe('RFS_BAD_ARCHIVE');
      expect(e.message).toMatch(/truncated/);
    }
  });

  it('refuses a header whose checksum does not match', async () => {
    const bytes = Buffer.from(readFileSync(make('sum.tar', one)));
    bytes[0] = 0x67; // 'f' -> 'g'
    writeFileSync(join(work, 'sum-bad.tar'), bytes);
    const e = await failure(readAll(join(work, 'sum-bad.tar')));
    expect([e.code, e.message]).toEqual(['RFS_BAD_ARCHIVE', 'reading tar: header checksum mismatch']);
  });

  it('refuses a pax record over 1 MiB before buffering it, and names over 4096 bytes', async () => {
    const huge = make('pax-huge.tar', `i = tarfile.TarInfo('f'); i.pax_headers = {'comment': 'c' * ${MAX_META_RECORD + 10}}; t.addfile(i, io.BytesIO(b''))`);
    expect((await failure(readAll(huge))).message).toMatch(/pax record of \d+ bytes \(limit 1048576\)/);
    const long = make('name-long.tar', `i = tarfile.TarInfo('d/' * 2100 + 'f'); t.addfile(i, io.BytesIO(b''))`);
    expect((await failure(readAll(long))).message).toMatch(/name longer than 4096 bytes/);
  });

  it('bounds members and bytes, and a declared size beyond the bytes limit fails before reading', async () => {
    const many = make('many.tar', "for n in range(50):\n    t.addfile(tarfile.TarInfo('f%d' % n), io.BytesIO(b''))");
    expect((await failure(readAll(many, { maxEntries: 10 }))).code).toBe('RFS_SIZE_LIMIT');
    expect((await failure(readAll(make('bytes.tar', one), { maxBytes: 2048 }))).code).toBe('RFS_SIZE_LIMIT');
    expect((await readAll(many)).length).toBe(50);
  });

  it('refuses a pax size that is not a number and an archive without end blocks', async () => {
    const badSize = make('pax-size.tar', "i = tarfile.TarInfo('f'); i.pax_headers = {'size': '12x'}; t.addfile(i, io.BytesIO(b''))");
    expect((await failure(readAll(badSize))).message).toMatch(/pax size/);
    const bytes = readFileSync(make('noend.tar', "t.addfile(tarfile.TarInfo('e'), io.BytesIO(b''))"));
    writeFileSync(join(work, 'noend-cut.tar'), bytes.subarray(0, 512));
    expect((await failure(readAll(join(work, 'noend-cut.tar')))).message).toMatch(/without its end-of-archive blocks/);
  });
});
