// Little helpers for the byte layouts of BDB/ndb files: everything is in the target's byte order.

export type Endian = 'little' | 'big';

export function u16(buf: Uint8Array, off: number, v: number, e: Endian): void {
  if (e === 'little') {
    buf[off] = v & 0xff;
    buf[off + 1] = (v >>> 8) & 0xff;
  } else {
    buf[off] = (v >>> 8) & 0xff;
    buf[off + 1] = v & 0xff;
  }
}

export function u32(buf: Uint8Array, off: number, v: number, e: Endian): void {
  const x = v >>> 0;
  if (e === 'little') {
    buf[off] = x & 0xff;
    buf[off + 1] = (x >>> 8) & 0xff;
    buf[off + 2] = (x >>> 16) & 0xff;
    buf[off + 3] = x >>> 24;
  } else {
    buf[off] = x >>> 24;
    buf[off + 1] = (x >>> 16) & 0xff;
    buf[off + 2] = (x >>> 8) & 0xff;
    buf[off + 3] = x & 0xff;
  }
}

export function getU16(buf: Uint8Array, off: number, e: Endian): number {
  const a = buf[off] ?? 0;
  const b = buf[off + 1] ?? 0;
  return e === 'little' ? a | (b << 8) : (a << 8) | b;
}

export function getU32(buf: Uint8Array, off: number, e: Endian): number {
  const a = buf[off] ?? 0;
  const b = buf[off + 1] ?? 0;
  const c = buf[off + 2] ?? 0;
  const d = buf[off + 3] ?? 0;
  return (e === 'little' ? a | (b << 8) | (c << 16) | (d << 24) : (a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** a u32 as 4 bytes (Packages keys, Installtid keys, index values) */
export function u32Bytes(v: number, e: Endian): Uint8Array {
  const b = new Uint8Array(4);
  u32(b, 0, v, e);
  return b;
}

export { concat } from '../util/bytes.js';

/** memcmp order, shorter first on a common prefix (btree and JS-side map ordering) */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

export const utf8 = new TextEncoder();
export const latin1Key = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
