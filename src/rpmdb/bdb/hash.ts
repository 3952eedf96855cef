// Berkeley DB HASH file writer (formats.md §3.2): version 8 (unsorted P_HASH_UNSORTED pages, what
// db 4.1–4.5 read: CentOS 4/5) or version 9 (sorted P_HASH pages, db >= 4.6: CentOS 6–8).
// Bucket count is a power of two chosen so every bucket fits one page; overfull buckets chain.
import { type Endian, u16, u32 } from '../bytes.js';
import { putOverflow } from './overflow.js';
import { PAGE_HEADER, PAGE_SIZE, P_HASH, P_HASHMETA, P_HASH_UNSORTED, Pager, writeMetaCommon } from './pager.js';

export const HASH_MAGIC = 0x061561;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const MAX_BUCKETS = 1 << 20;

export interface HashOptions {
  version: 8 | 9;
  endian: Endian;
  fileId: Uint8Array;
  /** force this value off-page (Packages blobs: go-rpmdb reads only H_OFFPAGE values) */
  offpageValue?: (key: Uint8Array, value: Uint8Array) => boolean;
  pageSize?: number;
  /** cap on the bucket count; fuller buckets then chain onto extra pages (default 2^20) */
  maxBuckets?: number;
}

export type KV = readonly [key: Uint8Array, value: Uint8Array];

/** __ham_func5 (FNV-1 style), the default hash of every BDB version rpm ever used */
export function hamFunc5(b: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < b.length; i++) h = (Math.imul(h, 16777619) ^ (b[i] ?? 0)) >>> 0;
  return h;
}

const CHARKEY = hamFunc5(new TextEncoder().encode('%$sniglet^&\0'));

/** v9 page order (__ham_getindex_sorted): memcmp; on a common prefix the LONGER key first */
export function hashSortedCompare(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return b.length - a.length;
}

export function buildHash(pairs: readonly KV[], opts: HashOptions): Uint8Array {
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const e = opts.endian;
  const big = pageSize / 4; // ISBIG: len > pagesize / MINFILL
  const room = pageSize - PAGE_HEADER;
  const itemSize = (b: Uint8Array, forceOff: boolean): number => (forceOff || b.length > big ? 12 : 1 + b.length);
  const offVal = pairs.map(([k, v]) => opts.offpageValue?.(k, v) === true);
  const hashes = pairs.map(([k]) => hamFunc5(k));
  const sizes = pairs.map(([k, v], i) => itemSize(k, false) + itemSize(v, offVal[i]!) + 4);

  // start near the bucket count the total size needs, then double until the fullest bucket fits
  const maxBuckets = opts.maxBuckets ?? MAX_BUCKETS;
  let nb = 2;
  const total = sizes.reduce((a, b) => a + b, 0);
  while (nb < maxBuckets && nb * room * 0.5 < total) nb *= 2;
  let buckets: number[][];
  for (;;) {
    buckets = Array.from({ length: nb }, () => []);
    const used = new Array<number>(nb).fill(0);
    let worst = 0;
    for (let i = 0; i < pairs.length; i++) {
      const b = hashes[i]! & (nb - 1);
      buckets[b]!.push(i);
      used[b]! += sizes[i]!;
      if (used[b]! > worst) worst = used[b]!;
    }
    if (worst <= room || nb >= maxBuckets) break;
    nb *= 2;
  }

  const pager = new Pager(e, nb + 1, pageSize); // buckets live on pages 1..nb
  const ptype = opts.version >= 9 ? P_HASH : P_HASH_UNSORTED;
  const encode = (b: Uint8Array, forceOff: boolean): Uint8Array => {
    if (forceOff || b.length > big) {
      const it = new Uint8Array(12);
      it[0] = H_OFFPAGE;
      u32(it, 4, putOverflow(pager, b), e);
      u32(it, 8, b.length, e);
      return it;
    }
    const it = new Uint8Array(1 + b.length);
    it[0] = H_KEYDATA;
    it.set(b, 1);
    return it;
  };

  for (let bno = 0; bno < nb; bno++) {
    const idx = buckets[bno]!;
    if (opts.version >= 9) idx.sort((x, y) => hashSortedCompare(pairs[x]![0], pairs[y]![0]));
    const items = idx.map((i) => [encode(pairs[i]![0], false), encode(pairs[i]![1], offVal[i]!)] as const);
    const chain: (readonly [Uint8Array, Uint8Array])[][] = [[]];
    let used = 0;
    for (const it of items) {
      const need = it[0].length + it[1].length + 4;
      if (used + need > room && chain[chain.length - 1]!.length > 0) {
        chain.push([]);
        used = 0;
      }
      chain[chain.length - 1]!.push(it);
      used += need;
    }
    const pgnos = [bno + 1, ...chain.slice(1).map(() => pager.alloc())];
    chain.forEach((its, ci) => {
      const pgno = pgnos[ci]!;
      const buf = pager.page(pgno);
      let off = pageSize;
      let n = 0;
      for (const [k, v] of its) {
        for (const item of [k, v]) {
          off -= item.length;
          buf.set(item, off);
          u16(buf, PAGE_HEADER + 2 * n++, off, e);
        }
      }
      pager.writeHeader(buf, {
        pgno,
        prev: ci > 0 ? pgnos[ci - 1]! : 0,
        next: ci + 1 < pgnos.length ? pgnos[ci + 1]! : 0,
        entries: n,
        hfOffset: off,
        level: 0,
        type: ptype,
      });
    });
  }

  const meta = new Uint8Array(pageSize);
  writeMetaCommon(meta, { magic: HASH_MAGIC, version: opts.version, type: P_HASHMETA, lastPgno: pager.lastPgno, fileId: opts.fileId }, pageSize, e);
  u32(meta, 72, nb - 1, e); // max_bucket
  u32(meta, 76, nb - 1, e); // high_mask
  u32(meta, 80, (nb >>> 1) - 1, e); // low_mask
  u32(meta, 84, 0, e); // ffactor: rpm never sets one
  u32(meta, 88, pairs.length, e); // nelem
  u32(meta, 92, CHARKEY, e);
  const l2 = Math.log2(nb);
  for (let i = 0; i <= l2; i++) u32(meta, 96 + 4 * i, 1, e); // bucket b lives on page b + 1
  return pager.finish(meta);
}
