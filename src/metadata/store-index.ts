// Name indexes over a PackageStore: which records provide (or obsolete) a name. Built once,
// when the pool cache is written, and stored in it as typed arrays, so a warm run looks names
// up in an open-addressing hash table over the store's string ids instead of building a Map
// of every provide name of every package.
import { Sense } from '../types/index.js';
import { NKINDS, strAt, type NameIndex, type PackageStore } from './store.js';

/** position of the implicit self-provide `name = E:V-R` of a package whose metadata lacks it */
export const SELF_PROVIDE = -1;
/** position of a path from primary's file list */
export const FILE_PROVIDE = -2;

/** FNV-1a over UTF-16 code units (the same at build and lookup, whatever the encoding on disk). */
export function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

type Emit = (add: (nameId: number, record: number, position: number) => void) => void;

function buildIndex(store: PackageStore, emit: Emit): NameIndex {
  const ordOf = new Int32Array(store.strings.length).fill(-1);
  const keys: number[] = [];
  const counts: number[] = [];
  emit((n) => {
    const o = ordOf[n]!;
    if (o < 0) { ordOf[n] = keys.length; keys.push(n); counts.push(1); } else counts[o]!++;
  });
  const start = new Uint32Array(keys.length + 1);
  for (let o = 0; o < keys.length; o++) start[o + 1] = start[o]! + counts[o]!;
  const cursor = start.slice(0, keys.length);
  const data = new Int32Array(start[keys.length]! * 2);
  emit((n, record, position) => {
    const at = cursor[ordOf[n]!]!++ * 2;
    data[at] = record;
    data[at + 1] = position;
  });
  let size = 16;
  while (size < keys.length * 2) size *= 2;
  const slots = new Uint32Array(size);
  const mask = size - 1;
  for (let o = 0; o < keys.length; o++) {
    let h = hashName(strAt(store, keys[o]!)) & mask;
    while (slots[h] !== 0) h = (h + 1) & mask;
    slots[h] = o + 1;
  }
  return { slots, keys: Uint32Array.from(keys), start, data };
}

/** The (record, position) pairs for `name`, or undefined. */
export function lookupName(ix: NameIndex, store: PackageStore, name: string): Int32Array | undefined {
  const mask = ix.slots.length - 1;
  for (let h = hashName(name) & mask; ; h = (h + 1) & mask) {
    const o = ix.slots[h]!;
    if (o === 0) return undefined;
    if (strAt(store, ix.keys[o - 1]!) === name) return ix.data.subarray(ix.start[o - 1]! * 2, ix.start[o]! * 2);
  }
}

function evrOf(store: PackageStore, i: number): { e: number; v: string; r: string } {
  return { e: store.num.epoch[i]!, v: strAt(store, store.str.version[i]!), r: strAt(store, store.str.release[i]!) };
}

/** Does record i list its own `name = E:V-R` (rpm adds it; old metadata may not)? Same test as the solver's pool. */
function hasSelfProvide(store: PackageStore, i: number): boolean {
  const name = store.str.name[i]!;
  const a = store.depStart[i * NKINDS]!; const b = store.depStart[i * NKINDS + 1]!;
  let evr: { e: number; v: string; r: string } | undefined;
  for (let j = a; j < b; j++) {
    const d = store.depRefs[j]!;
    if (store.depName[d] !== name || (store.depFlags[d]! & Sense.EQUAL) === 0) continue;
    evr ??= evrOf(store, i);
    const ver = strAt(store, store.depVersion[d]!);
    const plain = `${evr.e ? `${evr.e}:` : ''}${evr.v}${evr.r ? `-${evr.r}` : ''}`;
    if (ver === plain || ver === `0:${evr.v}-${evr.r}` || ver === `${evr.e}:${evr.v}-${evr.r}`) return true;
  }
  return false;
}

/** Provides index: explicit provides (position into the package's provides), self-provides, primary file paths. */
export function buildProvidesIndex(store: PackageStore): NameIndex {
  const self = new Uint8Array(store.count);
  for (let i = 0; i < store.count; i++) if (!hasSelfProvide(store, i)) self[i] = 1;
  return buildIndex(store, (add) => {
    for (let i = 0; i < store.count; i++) {
      const a = store.depStart[i * NKINDS]!; const b = store.depStart[i * NKINDS + 1]!;
      for (let j = a; j < b; j++) add(store.depName[store.depRefs[j]!]!, i, j - a);
      if (self[i]) add(store.str.name[i]!, i, SELF_PROVIDE);
      for (let j = store.fileStart[i]!; j < store.fileStart[i + 1]!; j++) add(store.fileRefs[j]!, i, FILE_PROVIDE);
    }
  });
}

const OBSOLETES = 3;

/** Obsoletes index: position into the package's obsoletes. */
export function buildObsoletesIndex(store: PackageStore): NameIndex {
  return buildIndex(store, (add) => {
    for (let i = 0; i < store.count; i++) {
      const a = store.depStart[i * NKINDS + OBSOLETES]!; const b = store.depStart[i * NKINDS + OBSOLETES + 1]!;
      for (let j = a; j < b; j++) add(store.depName[store.depRefs[j]!]!, i, j - a);
    }
  });
}

/** Names index: the records called `name` (position 0). */
export function buildNamesIndex(store: PackageStore): NameIndex {
  return buildIndex(store, (add) => {
    for (let i = 0; i < store.count; i++) add(store.str.name[i]!, i, 0);
  });
}
