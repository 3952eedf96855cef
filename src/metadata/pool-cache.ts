// Binary cache of a parsed PackageStore: a string table plus the typed arrays, laid out so a
// warm load is one read and views onto the buffer; strings are decoded one by one when first
// read (a solve reads a few thousand of ~200k), and the name indexes come with it.
import { readFileSync, rmSync } from 'node:fs';
import { writeViaOwnedTemp } from '../util/owner.js';
import { NUM_COLS, STR_COLS, strAt, type NameIndex, type PackageStore } from './store.js';
import { buildNamesIndex, buildObsoletesIndex, buildProvidesIndex } from './store-index.js';

// 7: records are validated (checksums, hrefs) and deduplicated when parsed; older caches were not
const MAGIC = 'RFSPOOL7';

type ArrayName = 'depName' | 'depFlags' | 'depVersion' | 'depRefs' | 'depStart' | 'fileRefs' | 'fileStart';
const U32: ArrayName[] = ['depName', 'depFlags', 'depVersion', 'depRefs', 'depStart', 'fileRefs', 'fileStart'];

interface Section { name: string; kind: 'u32' | 'i32' | 'f64' | 'utf8' | 'latin1'; bytes: number }
const INDEXES = ['provIndex', 'obsIndex', 'nameIndex'] as const;
const INDEX_PARTS = ['slots', 'keys', 'start', 'data'] as const;
interface Header { count: number; nstrings: number; sections: Section[] }

const pad8 = (n: number): number => (n + 7) & ~7;

const ASCII = /^[\x00-\x7f]*$/;

/** The same store with ASCII strings first (id 0 = '' stays 0). */
function asciiFirst(store: PackageStore): PackageStore {
  const n = store.strings.length;
  const map = new Uint32Array(n);
  const strings: string[] = [];
  const later: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = strAt(store, i);
    if (ASCII.test(v)) { map[i] = strings.length; strings.push(v); } else later.push(i);
  }
  for (const i of later) { map[i] = strings.length; strings.push(strAt(store, i)); }
  const remap = (a: Uint32Array): Uint32Array => a.map((x) => map[x]!);
  const str = {} as PackageStore['str'];
  for (const c of STR_COLS) str[c] = remap(store.str[c]);
  const { provIndex: _p, obsIndex: _o, nameIndex: _n, decode: _d, ...rest } = store; // built over the old ids
  return { ...rest, strings, str, depName: remap(store.depName), depVersion: remap(store.depVersion), fileRefs: remap(store.fileRefs) };
}

export function encodeStore(store: PackageStore): Buffer {
  // ASCII strings (nearly all) decode as latin1 into one-byte strings, much faster than utf8;
  // ids are renumbered so they come first. Each part has its byte offsets (n + 1 of them).
  store = asciiFirst(store);
  let nAscii = 0;
  while (nAscii < store.strings.length && ASCII.test(store.strings[nAscii]!)) nAscii++;
  const text = (list: string[], enc: 'latin1' | 'utf8'): { bytes: Buffer; offsets: Uint32Array } => {
    const offsets = new Uint32Array(list.length + 1);
    for (let i = 0; i < list.length; i++) offsets[i + 1] = offsets[i]! + Buffer.byteLength(list[i]!, enc);
    return { bytes: Buffer.from(list.join(''), enc), offsets };
  };
  const a = text(store.strings.slice(0, nAscii), 'latin1');
  const u = text(store.strings.slice(nAscii), 'utf8');
  const parts: { s: Section; data: Uint8Array }[] = [
    { s: { name: 'ascii', kind: 'latin1', bytes: a.bytes.length }, data: a.bytes },
    { s: { name: 'other', kind: 'utf8', bytes: u.bytes.length }, data: u.bytes },
  ];
  const add = (name: string, a: Uint32Array | Int32Array | Float64Array): void => {
    const kind = a instanceof Float64Array ? 'f64' : a instanceof Int32Array ? 'i32' : 'u32';
    parts.push({ s: { name, kind, bytes: a.byteLength }, data: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
  };
  add('ascii.offsets', a.offsets);
  add('other.offsets', u.offsets);
  for (const c of STR_COLS) add(`str.${c}`, store.str[c]);
  for (const c of NUM_COLS) add(`num.${c}`, store.num[c]);
  for (const n of U32) add(n, store[n]);
  // the name indexes cost a pass over every dep: paid once here, not on every warm load
  const ix: Record<(typeof INDEXES)[number], NameIndex> = { provIndex: buildProvidesIndex(store), obsIndex: buildObsoletesIndex(store), nameIndex: buildNamesIndex(store) };
  for (const i of INDEXES) for (const k of INDEX_PARTS) add(`${i}.${k}`, ix[i][k]);
  const header: Header = { count: store.count, nstrings: store.strings.length, sections: parts.map((p) => p.s) };
  const hjson = Buffer.from(JSON.stringify(header), 'utf8');
  const headLen = pad8(8 + 4 + hjson.length);
  const total = headLen + parts.reduce((n, p) => n + pad8(p.data.length), 0);
  const out = Buffer.alloc(total);
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(hjson.length, 8);
  hjson.copy(out, 12);
  let off = headLen;
  for (const p of parts) { out.set(p.data, off); off += pad8(p.data.length); }
  return out;
}

/** undefined when the bytes are not a complete cache file of this version. */
export function decodeStore(buf: Buffer): PackageStore | undefined {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== MAGIC) return undefined;
  const hlen = buf.readUInt32LE(8);
  let header: Header;
  try { header = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as Header; } catch { return undefined; }
  let off = pad8(12 + hlen);
  const views = new Map<string, Uint32Array | Int32Array | Float64Array>();
  let ascii = -1; let other = -1;
  for (const s of header.sections) {
    if (off + s.bytes > buf.length) return undefined;
    if (s.kind === 'latin1') ascii = off;
    else if (s.kind === 'utf8') other = off;
    else {
      const abs = buf.byteOffset + off;
      const Ctor = s.kind === 'f64' ? Float64Array : s.kind === 'i32' ? Int32Array : Uint32Array;
      const n = s.bytes / Ctor.BYTES_PER_ELEMENT;
      // Views need aligned offsets; a pooled Buffer may not be, then copy.
      if (abs % 8 === 0) views.set(s.name, new Ctor(buf.buffer as ArrayBuffer, abs, n));
      else { const copy = new Uint8Array(s.bytes); copy.set(buf.subarray(off, off + s.bytes)); views.set(s.name, new Ctor(copy.buffer, 0, n)); }
    }
    off += pad8(s.bytes);
  }
  const u32 = (n: string): Uint32Array | undefined => { const v = views.get(n); return v instanceof Uint32Array ? v : undefined; };
  const f64 = (n: string): Float64Array | undefined => { const v = views.get(n); return v instanceof Float64Array ? v : undefined; };
  const str = {} as PackageStore['str'];
  for (const c of STR_COLS) { const v = u32(`str.${c}`); if (!v || v.length !== header.count) return undefined; str[c] = v; }
  const num = {} as PackageStore['num'];
  for (const c of NUM_COLS) { const v = f64(`num.${c}`); if (!v || v.length !== header.count) return undefined; num[c] = v; }
  const a = {} as Record<ArrayName, Uint32Array>;
  for (const n of U32) { const v = u32(n); if (!v) return undefined; a[n] = v; }
  if (a.fileStart.length !== header.count + 1 || a.depStart.length !== header.count * 8 + 1) return undefined;
  const index = (i: string): NameIndex | undefined => {
    const slots = u32(`${i}.slots`); const keys = u32(`${i}.keys`); const start = u32(`${i}.start`); const data = views.get(`${i}.data`);
    if (!slots || !keys || !start || !(data instanceof Int32Array) || start.length !== keys.length + 1) return undefined;
    return { slots, keys, start, data };
  };
  const provIndex = index('provIndex'); const obsIndex = index('obsIndex'); const nameIndex = index('nameIndex');
  if (!provIndex || !obsIndex || !nameIndex) return undefined;
  const ao = u32('ascii.offsets'); const uo = u32('other.offsets');
  if (ascii < 0 || other < 0 || !ao || !uo || ao.length + uo.length - 2 !== header.nstrings) return undefined;
  const nAscii = ao.length - 1;
  // holes until read (new Array(n) stays a fast holey array in V8)
  const strings = new Array<string>(header.nstrings);
  // Buffer's own slicers: toString() would re-check its arguments on every one of many calls
  const raw = buf as Buffer & { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };
  const decode = (id: number): string => id < nAscii
    ? raw.latin1Slice(ascii + ao[id]!, ascii + ao[id + 1]!)
    : raw.utf8Slice(other + uo[id - nAscii]!, other + uo[id - nAscii + 1]!);
  return { count: header.count, strings, decode, str, num, ...a, provIndex, obsIndex, nameIndex };
}

export function readStoreCache(path: string): PackageStore | undefined {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch { return undefined; }
  const s = decodeStore(buf);
  if (!s) rmSync(path, { force: true });
  return s;
}

/** Best effort: a cache that cannot be written only costs the next run a parse. */
export function writeStoreCache(path: string, store: PackageStore): boolean {
  try {
    writeViaOwnedTemp(path, encodeStore(store));
    return true;
  } catch {
    return false;
  }
}

const FL_MAGIC = 'RFSFLST1';

/** File lists per package: counts, then every path joined by NUL (paths never contain NUL). */
export function encodeFilelists(lists: string[][]): Buffer {
  const counts = Uint32Array.from(lists, (l) => l.length);
  const text = Buffer.from(lists.map((l) => l.join('\u0000')).filter((_, i) => counts[i]! > 0).join('\u0000'), 'utf8');
  const out = Buffer.alloc(12 + counts.byteLength + text.length);
  out.write(FL_MAGIC, 0, 'latin1');
  out.writeUInt32LE(lists.length, 8);
  Buffer.from(counts.buffer, counts.byteOffset, counts.byteLength).copy(out, 12);
  text.copy(out, 12 + counts.byteLength);
  return out;
}

export function decodeFilelists(buf: Buffer, expectedCount: number): string[][] | undefined {
  if (buf.length < 12 || buf.toString('latin1', 0, 8) !== FL_MAGIC) return undefined;
  const n = buf.readUInt32LE(8);
  if (n !== expectedCount || buf.length < 12 + 4 * n) return undefined;
  const paths = buf.toString('utf8', 12 + 4 * n).split('\u0000');
  const out: string[][] = new Array<string[]>(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = buf.readUInt32LE(12 + 4 * i);
    out[i] = c === 0 ? [] : paths.slice(k, k + c);
    k += c;
  }
  const total = paths.length === 1 && paths[0] === '' ? 0 : paths.length;
  return k === total ? out : undefined;
}

export function readFilelistsCache(path: string, count: number): string[][] | undefined {
  let buf: Buffer;
  try { buf = readFileSync(path); } catch { return undefined; }
  const v = decodeFilelists(buf, count);
  if (!v) rmSync(path, { force: true });
  return v;
}

export function writeFilelistsCache(path: string, lists: string[][]): void {
  try {
    writeViaOwnedTemp(path, encodeFilelists(lists));
  } catch { /* best effort */ }
}
