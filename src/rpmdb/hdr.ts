// Raw access to header entries (bytes, not decoded strings: index keys and copied tags must keep
// non-UTF-8 bytes as they are) and the encoder for install-time "dribble" entries.
import type { Header, HeaderEntry } from '../rpm/header.js';
import { TYPE } from '../rpm/tags.js';

/** the live entry for a tag: dribbles (after the region) override region entries, as on import */
export function entryOf(h: Header, tag: number): HeaderEntry | undefined {
  let found: HeaderEntry | undefined;
  const ril = h.region?.ril ?? 0;
  h.entries.forEach((e, i) => {
    if (e.tag === tag && (found === undefined || i >= ril)) found = e;
  });
  return found;
}

export function rawStrings(h: Header, tag: number): Uint8Array[] {
  const e = entryOf(h, tag);
  if (!e || (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING)) return [];
  const out: Uint8Array[] = [];
  let p = e.offset;
  const n = e.type === TYPE.STRING ? 1 : e.count;
  for (let i = 0; i < n; i++) {
    const z = h.data.indexOf(0, p);
    if (z < 0) break;
    out.push(h.data.subarray(p, z));
    p = z + 1;
  }
  return out;
}

export function rawString(h: Header, tag: number): Uint8Array | undefined {
  return rawStrings(h, tag)[0];
}

/** raw data bytes of an entry (numbers stay big-endian as stored) */
export function rawData(h: Header, e: HeaderEntry): Uint8Array {
  const size = [0, 1, 1, 2, 4, 8, 0, 1, 0, 0][e.type] ?? 0;
  if (size > 0) return h.data.subarray(e.offset, e.offset + size * e.count);
  let p = e.offset;
  const n = e.type === TYPE.STRING ? 1 : e.count;
  for (let i = 0; i < n; i++) p = h.data.indexOf(0, p) + 1;
  return h.data.subarray(e.offset, p);
}

export interface Dribble {
  tag: number;
  type: number;
  count: number;
  data: Uint8Array;
}

const enc = new TextEncoder();
const z = (b: Uint8Array): Uint8Array => {
  const o = new Uint8Array(b.length + 1);
  o.set(b);
  return o;
};

export const dribble = {
  int32(tag: number, values: readonly number[]): Dribble {
    const d = new Uint8Array(4 * values.length);
    const v = new DataView(d.buffer);
    values.forEach((x, i) => v.setUint32(4 * i, x >>> 0));
    return { tag, type: TYPE.INT32, count: values.length, data: d };
  },
  char(tag: number, values: Uint8Array): Dribble {
    return { tag, type: TYPE.CHAR, count: values.length, data: values };
  },
  string(tag: number, s: Uint8Array | string): Dribble {
    return { tag, type: TYPE.STRING, count: 1, data: z(typeof s === 'string' ? enc.encode(s) : s) };
  },
  stringArray(tag: number, list: readonly (Uint8Array | string)[]): Dribble {
    const parts = list.map((s) => z(typeof s === 'string' ? enc.encode(s) : s));
    const d = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      d.set(p, o);
      o += p.length;
    }
    return { tag, type: TYPE.STRING_ARRAY, count: list.length, data: d };
  },
  raw(tag: number, type: number, count: number, data: Uint8Array): Dribble {
    return { tag, type, count, data };
  },
};

const ALIGN = [1, 1, 1, 2, 4, 8, 1, 1, 1, 1];

/**
 * headerExport() of an installed header: `index` entries and `data` copied verbatim, then the
 * dribbles sorted by tag, each aligned for its type (formats.md §1.8).
 */
export function exportBlob(index: Uint8Array, indexCount: number, data: Uint8Array, dribbles: readonly Dribble[]): Uint8Array {
  const sorted = [...dribbles].sort((a, b) => a.tag - b.tag);
  const offsets: number[] = [];
  let dl = data.length;
  for (const d of sorted) {
    const a = ALIGN[d.type] ?? 1;
    dl = Math.ceil(dl / a) * a;
    offsets.push(dl);
    dl += d.data.length;
  }
  const il = indexCount + sorted.length;
  const out = new Uint8Array(8 + 16 * il + dl);
  const v = new DataView(out.buffer);
  v.setUint32(0, il);
  v.setUint32(4, dl);
  out.set(index, 8);
  const dataStart = 8 + 16 * il;
  out.set(data, dataStart);
  sorted.forEach((d, i) => {
    const p = 8 + 16 * (indexCount + i);
    v.setUint32(p, d.tag);
    v.setUint32(p + 4, d.type);
    v.setInt32(p + 8, offsets[i]!);
    v.setUint32(p + 12, d.count);
    out.set(d.data, dataStart + offsets[i]!);
  });
  return out;
}

/** a fresh header whose entries all sit in an immutable region (headerReload(h, 63)), no magic */
export function buildRegionHeader(entries: readonly Dribble[], regionTag = 63): Uint8Array {
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const offsets: number[] = [];
  let dl = 0;
  for (const d of sorted) {
    const a = ALIGN[d.type] ?? 1;
    dl = Math.ceil(dl / a) * a;
    offsets.push(dl);
    dl += d.data.length;
  }
  const trailer = dl;
  dl += 16;
  const il = sorted.length + 1;
  const out = new Uint8Array(8 + 16 * il + dl);
  const v = new DataView(out.buffer);
  v.setUint32(0, il);
  v.setUint32(4, dl);
  const ds = 8 + 16 * il;
  const put = (i: number, tag: number, type: number, off: number, count: number): void => {
    v.setUint32(8 + 16 * i, tag);
    v.setUint32(12 + 16 * i, type);
    v.setInt32(16 + 16 * i, off);
    v.setUint32(20 + 16 * i, count);
  };
  put(0, regionTag, TYPE.BIN, trailer, 16);
  sorted.forEach((d, i) => {
    put(i + 1, d.tag, d.type, offsets[i]!, d.count);
    out.set(d.data, ds + offsets[i]!);
  });
  v.setUint32(ds + trailer, regionTag);
  v.setUint32(ds + trailer + 4, TYPE.BIN);
  v.setInt32(ds + trailer + 8, -16 * il);
  v.setUint32(ds + trailer + 12, 16);
  return out;
}
