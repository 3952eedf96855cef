// SUSE ndb Packages.db (rpm lib/backend/ndb/rpmpkg.c, formats.md §5): little-endian, 16-byte
// blocks, 4 KiB slot pages. Index.db is not written: rpm recreates it on first open (writable dbpath).
import { RfsError } from '../../errors/index.js';
import { getU32, u32 } from '../bytes.js';

const PKGDB_MAGIC = 0x506d7052; // 'RpmP'
const SLOT_MAGIC = 0x746f6c53; // 'Slot'
const BLOBHEAD_MAGIC = 0x53626c42; // 'BlbS'
const BLOBTAIL_MAGIC = 0x45626c42; // 'BlbE'
const PAGE = 4096;
const BLK = 16;
const SLOTS_PER_PAGE = PAGE / 16;
const GENERATION = 1;

function adler32(data: Uint8Array, start = 1): number {
  let a = start & 0xffff;
  let b = (start >>> 16) & 0xffff;
  for (let i = 0; i < data.length; ) {
    const end = Math.min(data.length, i + 3800); // keep sums below 2^32 before the modulo
    for (; i < end; i++) {
      a += data[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

export function buildNdb(packages: readonly { hnum: number; blob: Uint8Array }[]): Uint8Array {
  // two header-sized positions on page 0 are not slots
  const slotPages = Math.max(1, Math.ceil((packages.length + 2) / SLOTS_PER_PAGE));
  const blobStart = (slotPages * PAGE) / BLK;
  const blkcnts = packages.map((p) => Math.ceil((16 + p.blob.length + 12) / BLK));
  const total = blobStart * BLK + blkcnts.reduce((n, c) => n + c * BLK, 0);
  const out = new Uint8Array(total);
  const e = 'little' as const;
  let maxIdx = 0;
  for (let s = 2; s < slotPages * SLOTS_PER_PAGE; s++) u32(out, s * 16, SLOT_MAGIC, e);
  let blk = blobStart;
  packages.forEach((p, i) => {
    const cnt = blkcnts[i]!;
    const slot = (i + 2) * 16;
    u32(out, slot + 4, p.hnum, e);
    u32(out, slot + 8, blk, e);
    u32(out, slot + 12, cnt, e);
    const o = blk * BLK;
    u32(out, o, BLOBHEAD_MAGIC, e);
    u32(out, o + 4, p.hnum, e);
    u32(out, o + 8, GENERATION, e);
    u32(out, o + 12, p.blob.length, e);
    out.set(p.blob, o + 16);
    const tail = o + cnt * BLK - 12;
    u32(out, tail, adler32(out.subarray(o, tail)), e);
    u32(out, tail + 4, p.blob.length, e);
    u32(out, tail + 8, BLOBTAIL_MAGIC, e);
    blk += cnt;
    maxIdx = Math.max(maxIdx, p.hnum);
  });
  u32(out, 0, PKGDB_MAGIC, e);
  u32(out, 4, 0, e); // version
  u32(out, 8, GENERATION, e);
  u32(out, 12, slotPages, e);
  u32(out, 16, maxIdx + 1, e); // nextpkgidx
  return out;
}

export function readNdb(buf: Uint8Array, subject = 'Packages.db'): { hnum: number; blob: Uint8Array }[] {
  const e = 'little' as const;
  const fail = (r: string): never => {
    throw new RfsError('RFS_RPMDB', `reading ndb Packages.db: ${r}`, { subject });
  };
  if (buf.length < 32 || getU32(buf, 0, e) !== PKGDB_MAGIC) fail('bad magic');
  const slotPages = getU32(buf, 12, e);
  if (slotPages === 0 || slotPages * PAGE > buf.length) fail(`bad slot page count ${slotPages}`);
  const out: { hnum: number; blob: Uint8Array }[] = [];
  for (let s = 2; s < slotPages * SLOTS_PER_PAGE; s++) {
    const o = s * 16;
    if (getU32(buf, o, e) !== SLOT_MAGIC) fail(`bad slot magic at slot ${s}`);
    const hnum = getU32(buf, o + 4, e);
    if (hnum === 0) continue;
    const b = getU32(buf, o + 8, e) * BLK;
    const cnt = getU32(buf, o + 12, e);
    if (b + cnt * BLK > buf.length || getU32(buf, b, e) !== BLOBHEAD_MAGIC || getU32(buf, b + 4, e) !== hnum) fail(`bad blob for package ${hnum}`);
    const len = getU32(buf, b + 12, e);
    const tail = b + cnt * BLK - 12;
    if (16 + len > cnt * BLK - 12 || getU32(buf, tail + 8, e) !== BLOBTAIL_MAGIC) fail(`bad blob tail for package ${hnum}`);
    if (getU32(buf, tail, e) !== adler32(buf.subarray(b, tail))) fail(`checksum mismatch for package ${hnum}`);
    out.push({ hnum, blob: buf.slice(b + 16, b + 16 + len) });
  }
  return out.sort((a, b) => a.hnum - b.hnum);
}
