// Off-page items: a chain of P_OVERFLOW pages. Every page but the last is filled completely,
// because go-rpmdb concatenates page[26:] of non-last pages regardless of their length field.
import { PAGE_HEADER, P_OVERFLOW, type Pager } from './pager.js';

/** writes `data` into a new overflow chain and returns its first page number */
export function putOverflow(pager: Pager, data: Uint8Array): number {
  const room = pager.pageSize - PAGE_HEADER;
  const count = Math.max(1, Math.ceil(data.length / room));
  const pgnos: number[] = [];
  for (let i = 0; i < count; i++) pgnos.push(pager.alloc());
  for (let i = 0; i < count; i++) {
    const pgno = pgnos[i]!;
    const chunk = data.subarray(i * room, Math.min(data.length, (i + 1) * room));
    const buf = pager.page(pgno);
    pager.writeHeader(buf, {
      pgno,
      prev: i > 0 ? pgnos[i - 1]! : 0,
      next: i + 1 < count ? pgnos[i + 1]! : 0,
      entries: 1, // reference count
      hfOffset: chunk.length, // OV_LEN: bytes on this page
      level: 0,
      type: P_OVERFLOW,
    });
    buf.set(chunk, PAGE_HEADER);
  }
  return pgnos[0]!;
}
