// Compact, columnar package pool: interned strings, a table of unique deps, and typed arrays
// per package. Built by the primary parser, saved as the binary cache, materialised into
// RepoPackage objects that share their strings and Dep objects.
import type { ChecksumType, Dep, RepoPackage } from '../types/index.js';

export const DEP_KINDS = ['provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'] as const;
export type DepKind = (typeof DEP_KINDS)[number];
export const NKINDS = DEP_KINDS.length;

/** u32 string-id columns, in this order */
export const STR_COLS = ['name', 'version', 'release', 'arch', 'location', 'locationBase', 'checksumType', 'checksumValue', 'summary', 'sourcerpm', 'license', 'vendor', 'group'] as const;
export type StrCol = (typeof STR_COLS)[number];
/** f64 number columns */
export const NUM_COLS = ['epoch', 'buildtime', 'packageSize', 'installedSize'] as const;
export type NumCol = (typeof NUM_COLS)[number];

/**
 * A name index (built by store-index.ts). keys[o]: string id of name ordinal o; its entries are
 * the (record, position) pairs in data[2*start[o] .. 2*start[o+1]); slots: hash table of
 * ordinal+1 (0 = empty), power-of-2 size.
 */
export interface NameIndex { slots: Uint32Array; keys: Uint32Array; start: Uint32Array; data: Int32Array }

export interface PackageStore {
  count: number;
  /** strings by id; a store read from the pool cache has holes until read: use strAt() */
  strings: string[];
  /** reads string `id` of a cached store (see pool-cache.ts) */
  decode?: (id: number) => string;
  /** per column, one string id per package */
  str: Record<StrCol, Uint32Array>;
  num: Record<NumCol, Float64Array>;
  /** unique deps as (name id, flags, version id) triples */
  depName: Uint32Array; depFlags: Uint32Array; depVersion: Uint32Array;
  /** dep ids, grouped by package then kind; kind k of package i is depStart[i*NKINDS+k] .. [+1] */
  depRefs: Uint32Array; depStart: Uint32Array;
  /** primary-listed file string ids; package i is fileStart[i] .. fileStart[i+1] */
  fileRefs: Uint32Array; fileStart: Uint32Array;
  /** name indexes (store-index.ts), present when loaded from the pool cache or built since */
  provIndex?: NameIndex; obsIndex?: NameIndex; nameIndex?: NameIndex;
}

/** String `id` of a store, decoded (and kept) on first read when the store came from the cache. */
export function strAt(st: PackageStore, id: number): string {
  const v = st.strings[id];
  if (v !== undefined) return v;
  if (!st.decode || id >= st.strings.length) throw new RangeError(`string ${id} is not in the store`);
  return (st.strings[id] = st.decode(id));
}

const depHash = (n: number, flags: number, v: number): number => {
  let h = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ v, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ flags, 0x27d4eb2f);
  return h ^ (h >>> 16);
};

class Grow {
  a: Uint32Array;
  n = 0;
  constructor(cap = 1024) { this.a = new Uint32Array(cap); }
  push(v: number): void {
    if (this.n === this.a.length) { const b = new Uint32Array(this.a.length * 2); b.set(this.a); this.a = b; }
    this.a[this.n++] = v;
  }
  done(): Uint32Array { return this.a.slice(0, this.n); }
}

export class StoreBuilder {
  private readonly strings: string[] = [''];
  private readonly ids = new Map<string, number>([['', 0]]);
  // (name id, flags, version id) -> dep id + 1, open addressing over the dep columns: the Map
  // keyed by packed doubles it replaces made a heap number per lookup (6% of a primary parse).
  private depSlots = new Int32Array(1 << 12);
  private readonly depName = new Grow(); private readonly depFlags = new Grow(); private readonly depVersion = new Grow();
  private readonly depRefs = new Grow(1 << 16); private readonly depStart = new Grow(1 << 12);
  private readonly fileRefs = new Grow(1 << 14); private readonly fileStart = new Grow(1 << 10);
  private readonly strCols = STR_COLS.map(() => new Grow());
  private readonly numCols: number[][] = NUM_COLS.map(() => []);
  private count = 0;
  private kind = 0;
  /** depStart length right after the current record's begin() */
  private depMark = 0;

  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      // Parsed strings are slices of big document chunks and would keep every chunk alive;
      // concatenating and slicing makes V8 flatten a private copy.
      const own = (' ' + s).slice(1);
      id = this.strings.length; this.strings.push(own); this.ids.set(own, id);
    }
    return id;
  }

  /** Start a package record; fields default to '' / 0 until set. */
  begin(): void {
    for (const c of this.strCols) c.push(0);
    for (const c of this.numCols) c.push(0);
    this.fileStart.push(this.fileRefs.n);
    this.depStart.push(this.depRefs.n);
    this.depMark = this.depStart.n;
    this.kind = 0;
    this.count++;
  }

  /** Drop the record begun last (a duplicate); its interned strings stay, shared or not. */
  discard(): void {
    for (const c of this.strCols) c.n--;
    for (const c of this.numCols) c.pop();
    this.fileRefs.n = this.fileStart.a[--this.fileStart.n]!;
    this.depRefs.n = this.depStart.a[this.depMark - 1]!;
    this.depStart.n = this.depMark - 1;
    this.kind = NKINDS;
    this.count--;
  }

  /** files added to the current record so far */
  get currentFiles(): number { return this.fileRefs.n - this.fileStart.a[this.fileStart.n - 1]!; }

  setStr(col: number, value: string): void { this.strCols[col]!.a[this.count - 1] = this.intern(value); }
  /** For values that are unique per package (checksum, location): no dedupe lookup. */
  setUniqueStr(col: number, value: string): void {
    const id = this.strings.length;
    this.strings.push((' ' + value).slice(1));
    this.strCols[col]!.a[this.count - 1] = id;
  }
  setNum(col: number, value: number): void { this.numCols[col]![this.count - 1] = value; }

  /** Deps must arrive grouped by kind in DEP_KINDS order (primary.xml's order); kinds may be absent. */
  addDep(kind: number, name: string, flags: number, version: string): void {
    this.addDepIds(kind, this.intern(name), flags, this.intern(version));
  }

  /** As addDep, with interned name and version ids. */
  addDepIds(kind: number, n: number, flags: number, v: number): void {
    this.addDepRef(kind, this.depId(n, flags, v));
  }

  /** Add a dep by the id depId() gave it. */
  addDepRef(kind: number, id: number): void {
    this.advanceKind(kind);
    this.depRefs.push(id);
  }

  /** The id of the unique dep (name id, flags, version id), created on first use. */
  depId(n: number, flags: number, v: number): number {
    flags >>>= 0; // as depFlags (a Uint32Array) gives it back
    const dn = this.depName.a; const df = this.depFlags.a; const dv = this.depVersion.a;
    let mask = this.depSlots.length - 1;
    let slot = depHash(n, flags, v) & mask;
    for (;;) {
      const e = this.depSlots[slot]!;
      if (e === 0) break;
      const id = e - 1;
      if (dn[id] === n && dv[id] === v && df[id] === flags) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.newDep(n, flags, v);
    this.depSlots[slot] = id + 1;
    if (this.depName.n * 2 > this.depSlots.length) {
      // rehash at half full: probe runs stay short
      const old = this.depSlots;
      this.depSlots = new Int32Array(old.length * 2);
      mask = this.depSlots.length - 1;
      for (const e of old) {
        if (e === 0) continue;
        let s2 = depHash(this.depName.a[e - 1]!, this.depFlags.a[e - 1]!, this.depVersion.a[e - 1]!) & mask;
        while (this.depSlots[s2] !== 0) s2 = (s2 + 1) & mask;
        this.depSlots[s2] = e;
      }
    }
    return id;
  }

  private newDep(n: number, flags: number, v: number): number {
    const id = this.depName.n;
    this.depName.push(n); this.depFlags.push(flags); this.depVersion.push(v);
    return id;
  }

  addFile(path: string): void { this.fileRefs.push(this.intern(path)); }

  /** Close the current package (pads the kind offsets). */
  end(): void { this.advanceKind(NKINDS); }

  private advanceKind(kind: number): void {
    if (kind < this.kind) throw new Error(`dependency kind ${DEP_KINDS[kind] ?? kind} out of order`);
    while (this.kind < kind) { this.kind++; if (this.kind < NKINDS) this.depStart.push(this.depRefs.n); }
  }

  finish(): PackageStore {
    this.fileStart.push(this.fileRefs.n);
    this.depStart.push(this.depRefs.n);
    const str = {} as Record<StrCol, Uint32Array>;
    STR_COLS.forEach((c, i) => { str[c] = this.strCols[i]!.done(); });
    const num = {} as Record<NumCol, Float64Array>;
    NUM_COLS.forEach((c, i) => { num[c] = Float64Array.from(this.numCols[i]!); });
    return {
      count: this.count, strings: this.strings, str, num,
      depName: this.depName.done(), depFlags: this.depFlags.done(), depVersion: this.depVersion.done(),
      depRefs: this.depRefs.done(), depStart: this.depStart.done(), fileRefs: this.fileRefs.done(), fileStart: this.fileStart.done(),
    };
  }
}

/** RepoPackage objects for every record; equal deps are the same Dep object, empty lists one shared array. */
export function materialize(store: PackageStore, repoId: string): RepoPackage[] {
  for (let i = 0; i < store.strings.length; i++) strAt(store, i);
  const s = store.strings;
  const deps: Dep[] = new Array<Dep>(store.depName.length);
  for (let i = 0; i < deps.length; i++) {
    deps[i] = { name: s[store.depName[i]!]!, flags: store.depFlags[i]!, version: s[store.depVersion[i]!]! };
  }
  const { str, num, depRefs, depStart, fileRefs, fileStart } = store;
  // Most kinds are empty for most packages: they share one empty array (treat lists as read-only).
  const EMPTY: Dep[] = [];
  const NOFILES: string[] = [];
  const slice = (a: number, b: number): Dep[] => {
    if (a === b) return EMPTY;
    const out = new Array<Dep>(b - a);
    for (let j = a; j < b; j++) out[j - a] = deps[depRefs[j]!]!;
    return out;
  };
  const out = new Array<RepoPackage>(store.count);
  for (let i = 0; i < store.count; i++) {
    const d = i * NKINDS;
    const f0 = fileStart[i]!; const f1 = fileStart[i + 1]!;
    const files = f1 === f0 ? NOFILES : new Array<string>(f1 - f0);
    for (let j = f0; j < f1; j++) files[j - f0] = s[fileRefs[j]!]!;
    const p: RepoPackage = {
      name: s[str.name[i]!]!, epoch: num.epoch[i]!, version: s[str.version[i]!]!, release: s[str.release[i]!]!, arch: s[str.arch[i]!]!,
      repo: repoId, location: s[str.location[i]!]!,
      checksum: { type: s[str.checksumType[i]!]! as ChecksumType, value: s[str.checksumValue[i]!]! },
      packageSize: num.packageSize[i]!, installedSize: num.installedSize[i]!, summary: s[str.summary[i]!]!, sourcerpm: s[str.sourcerpm[i]!]!,
      buildtime: num.buildtime[i]!, license: s[str.license[i]!]!, vendor: s[str.vendor[i]!]!, group: s[str.group[i]!]!,
      provides: slice(depStart[d]!, depStart[d + 1]!), requires: slice(depStart[d + 1]!, depStart[d + 2]!),
      conflicts: slice(depStart[d + 2]!, depStart[d + 3]!), obsoletes: slice(depStart[d + 3]!, depStart[d + 4]!),
      recommends: slice(depStart[d + 4]!, depStart[d + 5]!), suggests: slice(depStart[d + 5]!, depStart[d + 6]!),
      supplements: slice(depStart[d + 6]!, depStart[d + 7]!), enhances: slice(depStart[d + 7]!, depStart[d + 8]!),
      files,
    };
    const lb = str.locationBase[i]!;
    if (lb) p.locationBase = s[lb]!;
    out[i] = p;
  }
  return out;
}
