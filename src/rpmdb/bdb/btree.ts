// Berkeley DB BTREE (version 9, db >= 4.1) bulk loader (formats.md §3.3): rpm <= 4.8 opens
// Dirnames, Requireversion, Provideversion and Installtid as btree and fails on a hash file.
// Leaves are filled left to right; internal levels use shortest distinguishing separators.
import { type Endian, compareBytes, u16, u32 } from '../bytes.js';
import type { KV } from './hash.js';
import { putOverflow } from './overflow.js';
import { PAGE_HEADER, PAGE_SIZE, P_BTREEMETA, P_IBTREE, P_LBTREE, Pager, writeMetaCommon } from './pager.js';

export const BTREE_MAGIC = 0x053162;
const B_KEYDATA = 1;
const B_OVERFLOW = 3;
const FILL = 0.9;

export interface BtreeOptions {
  endian: Endian;
  fileId: Uint8Array;
  pageSize?: number;
}

const align4 = (n: number): number => (n + 3) & ~3;

export function buildBtree(input: readonly KV[], opts: BtreeOptions): Uint8Array {
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const e = opts.endian;
  const pairs = [...input].sort((a, b) => compareBytes(a[0], b[0])); // __bam_defcmp
  const ovflSize = Math.floor((pageSize - PAGE_HEADER) / 4) - (align4(3) + 2 + 4); // B_MINKEY_TO_OVFLSIZE, minkey 2
  const room = (pageSize - PAGE_HEADER) * FILL;
  const pager = new Pager(e, 2, pageSize); // page 1 is the root: db_verify insists on it

  const leafItem = (b: Uint8Array): Uint8Array => {
    if (b.length > ovflSize) {
      const it = new Uint8Array(12);
      it[2] = B_OVERFLOW;
      u32(it, 4, putOverflow(pager, b), e);
      u32(it, 8, b.length, e);
      return it;
    }
    const it = new Uint8Array(3 + b.length);
    u16(it, 0, b.length, e);
    it[2] = B_KEYDATA;
    it.set(b, 3);
    return it;
  };

  const writePage = (pgno: number, items: Uint8Array[], prev: number, next: number, level: number, type: number): void => {
    const buf = pager.page(pgno);
    let off = pageSize;
    items.forEach((it, i) => {
      off -= align4(it.length);
      buf.set(it, off);
      u16(buf, PAGE_HEADER + 2 * i, off, e);
    });
    pager.writeHeader(buf, { pgno, prev, next, entries: items.length, hfOffset: off, level, type });
  };

  // leaves: [firstKey, lastKey, items]
  const leaves: { first: Uint8Array; last: Uint8Array; items: Uint8Array[] }[] = [];
  let cur: Uint8Array[] = [];
  let first: Uint8Array = new Uint8Array(0);
  let last: Uint8Array = new Uint8Array(0);
  let used = 0;
  for (const [k, d] of pairs) {
    const ki = leafItem(k);
    const di = leafItem(d);
    const need = align4(ki.length) + align4(di.length) + 4;
    if (cur.length > 0 && used + need > room) {
      leaves.push({ first, last, items: cur });
      cur = [];
      used = 0;
    }
    if (cur.length === 0) first = k;
    cur.push(ki, di);
    last = k;
    used += need;
  }
  leaves.push({ first, last, items: cur });
  const leafPg = leaves.length === 1 ? [1] : leaves.map(() => pager.alloc());
  leaves.forEach((l, i) => writePage(leafPg[i]!, l.items, i > 0 ? leafPg[i - 1]! : 0, i + 1 < leaves.length ? leafPg[i + 1]! : 0, 1, P_LBTREE));

  let nodes = leaves.map((l, i) => ({ first: l.first, last: l.last, pgno: leafPg[i]! }));
  let level = 1;
  while (nodes.length > 1) {
    level++;
    const groups: { first: Uint8Array; last: Uint8Array; items: Uint8Array[] }[] = [];
    let g: { first: Uint8Array; last: Uint8Array; items: Uint8Array[] } | null = null;
    let gUsed = 0;
    nodes.forEach((n, i) => {
      let sep: Uint8Array = new Uint8Array(0); // the first entry of an internal page has an empty key
      if (g !== null) {
        const prevLast = nodes[i - 1]!.last;
        let p = 0;
        while (p < prevLast.length && p < n.first.length && prevLast[p] === n.first[p]) p++;
        sep = n.first.subarray(0, Math.min(p + 1, n.first.length));
      }
      let it = internalItem(sep, n.pgno, e);
      if (g !== null && gUsed + align4(it.length) + 2 > room) {
        groups.push(g);
        g = null;
        it = internalItem(new Uint8Array(0), n.pgno, e);
      }
      if (g === null) {
        g = { first: n.first, last: n.last, items: [] };
        gUsed = 0;
      }
      g.items.push(it);
      g.last = n.last;
      gUsed += align4(it.length) + 2;
    });
    if (g !== null) groups.push(g);
    const pgs = groups.length === 1 ? [1] : groups.map(() => pager.alloc());
    groups.forEach((gr, i) => writePage(pgs[i]!, gr.items, 0, 0, level, P_IBTREE));
    nodes = groups.map((gr, i) => ({ first: gr.first, last: gr.last, pgno: pgs[i]! }));
  }

  const meta = new Uint8Array(pageSize);
  writeMetaCommon(meta, { magic: BTREE_MAGIC, version: 9, type: P_BTREEMETA, lastPgno: pager.lastPgno, fileId: opts.fileId }, pageSize, e);
  u32(meta, 76, 2, e); // minkey
  u32(meta, 80, 0, e); // re_len
  u32(meta, 84, 0x20, e); // re_pad
  u32(meta, 88, 1, e); // root
  return pager.finish(meta);
}

function internalItem(key: Uint8Array, child: number, e: Endian): Uint8Array {
  const it = new Uint8Array(12 + key.length);
  u16(it, 0, key.length, e);
  it[2] = B_KEYDATA;
  u32(it, 4, child, e);
  u32(it, 8, 0, e); // nrecs: no DB_RECNUM
  it.set(key, 12);
  return it;
}
