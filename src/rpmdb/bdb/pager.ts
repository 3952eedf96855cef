// Page allocation and the 26-byte generic page header shared by BDB hash, btree and overflow pages
// (libdb db_page.h PAGE). Files are built in memory in one pass: no incremental inserts.
import { type Endian, u16, u32 } from '../bytes.js';

export const PAGE_SIZE = 4096; // what BDB picks from st_blksize in practice (formats.md §3.2)
export const PAGE_HEADER = 26;

export const P_IBTREE = 3;
export const P_LBTREE = 5;
export const P_HASH_UNSORTED = 2;
export const P_OVERFLOW = 7;
export const P_HASHMETA = 8;
export const P_BTREEMETA = 9;
export const P_HASH = 13;

export interface PageHeader {
  pgno: number;
  prev: number;
  next: number;
  entries: number;
  hfOffset: number;
  level: number;
  type: number;
}

export class Pager {
  readonly pageSize: number;
  readonly endian: Endian;
  private readonly pages = new Map<number, Uint8Array>();
  private nextPgno: number;

  constructor(endian: Endian, firstFree: number, pageSize = PAGE_SIZE) {
    this.endian = endian;
    this.pageSize = pageSize;
    this.nextPgno = firstFree;
  }

  alloc(): number {
    return this.nextPgno++;
  }

  get lastPgno(): number {
    return this.nextPgno - 1;
  }

  /** a zeroed page buffer registered under pgno */
  page(pgno: number): Uint8Array {
    let p = this.pages.get(pgno);
    if (!p) {
      p = new Uint8Array(this.pageSize);
      this.pages.set(pgno, p);
    }
    return p;
  }

  writeHeader(buf: Uint8Array, h: PageHeader): void {
    const e = this.endian;
    u32(buf, 0, 0, e); // lsn file
    u32(buf, 4, 1, e); // lsn offset: LSN_NOT_LOGGED, as db_load writes
    u32(buf, 8, h.pgno, e);
    u32(buf, 12, h.prev, e);
    u32(buf, 16, h.next, e);
    u16(buf, 20, h.entries, e);
    u16(buf, 22, h.hfOffset, e);
    buf[24] = h.level;
    buf[25] = h.type;
  }

  /** the whole file: meta page 0 followed by pages 1..last (all must exist) */
  finish(meta: Uint8Array): Uint8Array {
    const last = this.lastPgno;
    const out = new Uint8Array((last + 1) * this.pageSize);
    out.set(meta, 0);
    for (let pg = 1; pg <= last; pg++) {
      const p = this.pages.get(pg);
      if (!p) throw new Error(`BDB page ${pg} was allocated but never written`);
      out.set(p, pg * this.pageSize);
    }
    return out;
  }
}

export interface MetaCommon {
  magic: number;
  version: number;
  type: number;
  lastPgno: number;
  fileId: Uint8Array;
}

/** DBMETA33: the first 72 bytes every BDB meta page shares */
export function writeMetaCommon(buf: Uint8Array, m: MetaCommon, pageSize: number, e: Endian): void {
  u32(buf, 0, 0, e);
  u32(buf, 4, 1, e);
  u32(buf, 8, 0, e); // pgno
  u32(buf, 12, m.magic, e);
  u32(buf, 16, m.version, e);
  u32(buf, 20, pageSize, e);
  buf[24] = 0; // encrypt_alg: go-rpmdb rejects anything else
  buf[25] = m.type;
  buf[26] = 0; // metaflags: no checksums (bdb_ro cannot read them)
  u32(buf, 28, 0, e); // free list
  u32(buf, 32, m.lastPgno, e);
  if (m.fileId.length !== 20) throw new Error('BDB file id must be 20 bytes');
  buf.set(m.fileId, 52);
}
