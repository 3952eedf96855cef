// Binary cache of a parsed PackageStore: a string table plus the typed arrays, laid out so a
// warm load is one read, one utf8 decode and views onto the buffer.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NUM_COLS, STR_COLS, type PackageStore } from './store.js';

const MAGIC = 'RFSPOOL4';

type ArrayName = 'depName' | 'depFlags' | 'depVersion' | 'depRefs' | 'depStart' | 'fileRefs' | 'fileStart';
const U32: ArrayName[] = ['depName', 'depFlags', 'depVersion', 'depRefs', 'depStart', 'fileRefs', 'fileStart'];

interface Section { name: string; kind: 'u32' | 'f64' | 'utf8' | 'latin1'; bytes: number }
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
    if (ASCII.test(store.strings[i]!)) { map[i] = strings.length; strings.push(store.strings[i]!); } else later.push(i);
  }
  for (const i of later) { map[i] = strings.length; strings.push(store.strings[i]!); }
  const remap = (a: Uint32Array): Uint32Array => a.map((x) => map[x]!);
  const str = {} as PackageStore['str'];
  for (const c of STR_COLS) str[c] = remap(store.str[c]);
  return { ...store, strings, str, depName: remap(store.depName), depVersion: remap(store.depVersion), fileRefs: remap(store.fileRefs) };
}

export function encodeStore(store: PackageStore): Buffer {
  // ASCII strings (nearly all) decode as latin1 into one-byte strings, much faster than utf8;
  // ids are renumbered so they come first and a load is two splits and a concat.
  store = asciiFirst(store);
  let nAscii = 0;
  while (nAscii < store.strings.length && ASCII.test(store.strings[nAscii]!)) nAscii++;
  const a = Buffer.from(store.strings.slice(0, nAscii).join('\u0000'), 'latin1');
  const u = Buffer.from(store.strings.slice(nAscii).join('\u0000'), 'utf8');
  const parts: { s: Section; data: Uint8Array }[] = [
    { s: { name: 'ascii', kind: 'latin1', bytes: a.length }, data: a },
    { s: { name: 'other', kind: 'utf8', bytes: nAscii === store.strings.length ? 0 : u.length }, data: u },
  ];
  const add = (name: string, a: Uint32Array | Float64Array): void => {
    parts.push({ s: { name, kind: a instanceof Float64Array ? 'f64' : 'u32', bytes: a.byteLength }, data: new Uint8Array(a.buffer, a.byteOffset, a.byteLength) });
  };
  for (const c of STR_COLS) add(`str.${c}`, store.str[c]);
  for (const c of NUM_COLS) add(`num.${c}`, store.num[c]);
  for (const n of U32) add(n, store[n]);
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
  const views = new Map<string, Uint32Array | Float64Array>();
  let ascii: string[] | undefined; let other: string[] | undefined;
  for (const s of header.sections) {
    if (off + s.bytes > buf.length) return undefined;
    if (s.kind === 'latin1') ascii = buf.toString('latin1', off, off + s.bytes).split('\u0000');
    else if (s.kind === 'utf8') other = s.bytes ? buf.toString('utf8', off, off + s.bytes).split('\u0000') : [];
    else {
      const abs = buf.byteOffset + off;
      const Ctor = s.kind === 'f64' ? Float64Array : Uint32Array;
      const n = s.bytes / Ctor.BYTES_PER_ELEMENT;
      // Views need aligned offsets; a pooled Buffer may not be, then copy.
      if (abs % 8 === 0) views.set(s.name, new Ctor(buf.buffer as ArrayBuffer, abs, n));
      else { const copy = new Uint8Array(s.bytes); copy.set(buf.subarray(off, off + s.bytes)); views.set(s.name, new Ctor(copy.buffer, 0, n)); }
    }
    off += pad8(s.bytes);
  }
  if (!ascii || !other || ascii.length + other.length !== header.nstrings) return undefined;
  const strings = other.length ? ascii.concat(other) : ascii;
  const u32 = (n: string): Uint32Array | undefined => { const v = views.get(n); return v instanceof Uint32Array ? v : undefined; };
  const f64 = (n: string): Float64Array | undefined => { const v = views.get(n); return v instanceof Float64Array ? v : undefined; };
  const str = {} as PackageStore['str'];
  for (const c of STR_COLS) { const v = u32(`str.${c}`); if (!v || v.length !== header.count) return undefined; str[c] = v; }
  const num = {} as PackageStore['num'];
  for (const c of NUM_COLS) { const v = f64(`num.${c}`); if (!v || v.length !== header.count) return undefined; num[c] = v; }
  const a = {} as Record<ArrayName, Uint32Array>;
  for (const n of U32) { const v = u32(n); if (!v) return undefined; a[n] = v; }
  if (a.fileStart.length !== header.count + 1 || a.depStart.length !== header.count * 8 + 1) return undefined;
  return { count: header.count, strings, str, num, ...a };
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
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, encodeStore(store));
    renameSync(tmp, path);
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
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(tmp, encodeFilelists(lists));
    renameSync(tmp, path);
  } catch { /* best effort */ }
}
