// Reading BDB hash and btree files back (round trips, readRpmdb). Like rpm's bdb_ro it scans
// pages linearly and does not need libdb; both byte orders and hash versions 8–10 are accepted.
import { RfsError } from '../../errors/index.js';
import { type Endian, getU16, getU32 } from '../bytes.js';
import { BTREE_MAGIC } from './btree.js';
import { HASH_MAGIC, type KV } from './hash.js';
import { PAGE_HEADER, P_HASH, P_HASH_UNSORTED, P_LBTREE, P_OVERFLOW } from './pager.js';

export interface BdbFile {
  kind: 'hash' | 'btree';
  version: number;
  endian: Endian;
  pageSize: number;
  pairs: KV[];
}

function fail(subject: string, reason: string): never {
  throw new RfsError('RFS_RPMDB', `reading BDB file: ${reason}`, { subject });
}

export function readBdb(buf: Uint8Array, subject = 'BDB file'): BdbFile {
  if (buf.length < 512) fail(subject, 'shorter than a meta page');
  let endian: Endian = 'little';
  let magic = getU32(buf, 12, endian);
  if (magic !== HASH_MAGIC && magic !== BTREE_MAGIC) {
    endian = 'big';
    magic = getU32(buf, 12, endian);
  }
  if (magic !== HASH_MAGIC && magic !== BTREE_MAGIC) fail(subject, 'not a Berkeley DB hash or btree file');
  const version = getU32(buf, 16, endian);
  const pageSize = getU32(buf, 20, endian);
  if (buf[24] !== 0) fail(subject, 'encrypted databases are not supported');
  if (pageSize < 512 || pageSize > 65536 || buf.length % pageSize !== 0) fail(subject, `bad page size ${pageSize}`);
  const last = Math.min(getU32(buf, 32, endian), buf.length / pageSize - 1);
  const page = (pg: number): Uint8Array => buf.subarray(pg * pageSize, (pg + 1) * pageSize);

  const overflow = (pgno: number, tlen: number): Uint8Array => {
    const out = new Uint8Array(tlen);
    let o = 0;
    let pg = pgno;
    let guard = 0;
    while (pg !== 0 && o < tlen) {
      if (pg > last || ++guard > last + 1) fail(subject, `broken overflow chain at page ${pg}`);
      const p = page(pg);
      if (p[25] !== P_OVERFLOW) fail(subject, `page ${pg} is not an overflow page`);
      const n = Math.min(getU16(p, 22, endian), tlen - o);
      out.set(p.subarray(PAGE_HEADER, PAGE_HEADER + n), o);
      o += n;
      pg = getU32(p, 16, endian);
    }
    if (o !== tlen) fail(subject, `overflow item shorter than its ${tlen} bytes`);
    return out;
  };

  const pairs: KV[] = [];
  if (magic === HASH_MAGIC) {
    for (let pg = 1; pg <= last; pg++) {
      const p = page(pg);
      if (p[25] !== P_HASH && p[25] !== P_HASH_UNSORTED) continue;
      const n = getU16(p, 20, endian);
      const items: Uint8Array[] = [];
      for (let i = 0; i < n; i++) {
        const off = getU16(p, PAGE_HEADER + 2 * i, endian);
        const end = i === 0 ? pageSize : getU16(p, PAGE_HEADER + 2 * (i - 1), endian);
        if (p[off] === 1) items.push(p.slice(off + 1, end));
        else if (p[off] === 3) items.push(overflow(getU32(p, off + 4, endian), getU32(p, off + 8, endian)));
        else fail(subject, `unsupported hash item type ${p[off]} on page ${pg}`);
      }
      for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
    }
    return { kind: 'hash', version, endian, pageSize, pairs };
  }

  // btree: every leaf page, in page order; keys come sorted per leaf, callers sort if needed
  for (let pg = 1; pg <= last; pg++) {
    const p = page(pg);
    if (p[25] !== P_LBTREE) continue;
    const n = getU16(p, 20, endian);
    const items: Uint8Array[] = [];
    for (let i = 0; i < n; i++) {
      const off = getU16(p, PAGE_HEADER + 2 * i, endian);
      const type = (p[off + 2] ?? 0) & 0x7f;
      if (type === 1) items.push(p.slice(off + 3, off + 3 + getU16(p, off, endian)));
      else if (type === 3) items.push(overflow(getU32(p, off + 4, endian), getU32(p, off + 8, endian)));
      else fail(subject, `unsupported btree item type ${type} on page ${pg}`);
    }
    for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
  }
  return { kind: 'btree', version, endian, pageSize, pairs };
}
