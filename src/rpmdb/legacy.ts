// rpm's import-time retrofits (lib/legacy.c, package.cc applyRetrofits): SOURCERPM for headers
// without one, compressed file lists for OLDFILENAMES headers, and for v3 packages (no region)
// DEFAULTPREFIX -> PREFIXES and the "Provides: name = [e:]v-r" self-provide.
import type { Header } from '../rpm/header.js';
import { TAG, TYPE } from '../rpm/tags.js';
import { type Dribble, dribble, entryOf, rawString, rawStrings } from './hdr.js';

const enc = new TextEncoder();
const RPMSENSE_EQUAL = 8;

function strcmp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return a.length - b.length;
}

/** compressFilelist(), including its bsearch over the (not necessarily sorted) dir list */
export function compressFilelist(files: Uint8Array[]): { dirIndexes: number[]; baseNames: Uint8Array[]; dirNames: Uint8Array[] } {
  const dirNames: Uint8Array[] = [];
  const dirIndexes: number[] = [];
  const baseNames: Uint8Array[] = [];
  if (files.length > 0 && files[0]![0] !== 0x2f) {
    dirNames.push(new Uint8Array(0)); // source package: bare names
    for (const f of files) {
      dirIndexes.push(0);
      baseNames.push(f);
    }
    return { dirIndexes, baseNames, dirNames };
  }
  for (const f of files) {
    const slash = f.lastIndexOf(0x2f);
    const cut = slash < 0 ? 0 : slash + 1;
    const dir = f.subarray(0, cut);
    let lo = 0;
    let hi = dirNames.length;
    let found = -1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = strcmp(dir, dirNames[mid]!);
      if (c === 0) {
        found = mid;
        break;
      }
      if (c < 0) hi = mid;
      else lo = mid + 1;
    }
    if (found < 0) {
      dirNames.push(dir);
      found = dirNames.length - 1;
    }
    dirIndexes.push(found);
    baseNames.push(f.subarray(cut));
  }
  return { dirIndexes, baseNames, dirNames };
}

function evr(h: Header): Uint8Array {
  const e = h.number(TAG.EPOCH);
  const v = rawString(h, TAG.VERSION) ?? new Uint8Array(0);
  const r = rawString(h, TAG.RELEASE) ?? new Uint8Array(0);
  const head = e === undefined ? '' : `${e}:`;
  const out = new Uint8Array(head.length + v.length + 1 + r.length);
  out.set(enc.encode(head));
  out.set(v, head.length);
  out[head.length + v.length] = 0x2d;
  out.set(r, head.length + v.length + 1);
  return out;
}

const eq = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && strcmp(a, b) === 0;

export function legacyRetrofits(h: Header, v3: boolean, appendAlways = false): Dribble[] {
  const out: Dribble[] = [];
  const oldNames = rawStrings(h, TAG.OLDFILENAMES);
  let dirNames = rawStrings(h, TAG.DIRNAMES);
  if (oldNames.length > 0 && !h.has(TAG.DIRNAMES)) {
    const c = compressFilelist(oldNames);
    out.push(dribble.int32(TAG.DIRINDEXES, c.dirIndexes), dribble.stringArray(TAG.BASENAMES, c.baseNames), dribble.stringArray(TAG.DIRNAMES, c.dirNames));
    dirNames = c.dirNames;
  }
  let source = !h.has(TAG.SOURCERPM);
  if (!h.has(TAG.SOURCERPM) && !h.has(TAG.SOURCEPACKAGE)) {
    if (dirNames.length === 1 && dirNames[0]!.length === 0) out.push(dribble.int32(TAG.SOURCEPACKAGE, [1]));
    else {
      out.push(dribble.string(TAG.SOURCERPM, '(none)'));
      source = false;
    }
  }
  if (!v3) return out;

  if (h.has(TAG.DEFAULTPREFIX) && !h.has(TAG.PREFIXES)) {
    let p = rawString(h, TAG.DEFAULTPREFIX) ?? new Uint8Array(0);
    while (p.length > 1 && p[p.length - 1] === 0x2f) p = p.subarray(0, p.length - 1);
    out.push(dribble.stringArray(TAG.PREFIXES, [p]));
  }
  if (!source) out.push(...selfProvide(h, appendAlways));
  return out;
}

/**
 * providePackageNVR(): appending to a region entry turns it into a full-array dribble. rpm 4.4
 * skips the append when `name = evr` is already provided; rpm 4.18 was observed to append anyway
 * (rpm's own v3 test package ends up with the provide twice), so newer eras always append.
 */
function selfProvide(h: Header, appendAlways: boolean): Dribble[] {
  const name = rawString(h, TAG.NAME);
  if (!name) return [];
  const pEVR = evr(h);
  const names = rawStrings(h, TAG.PROVIDENAME);
  const nameEntry = entryOf(h, TAG.PROVIDENAME);
  if (!nameEntry) {
    return [dribble.stringArray(TAG.PROVIDENAME, [name]), dribble.stringArray(TAG.PROVIDEVERSION, [pEVR]), dribble.int32(TAG.PROVIDEFLAGS, [RPMSENSE_EQUAL])];
  }
  const flagsEntry = entryOf(h, TAG.PROVIDEFLAGS);
  let versions: Uint8Array[];
  let flags: number[];
  if (!h.has(TAG.PROVIDEVERSION)) {
    versions = names.map(() => new Uint8Array(0));
    flags = [...(flagsEntry && flagsEntry.type === TYPE.INT32 ? h.numbers(TAG.PROVIDEFLAGS) : []), ...names.map(() => 0)];
  } else {
    versions = rawStrings(h, TAG.PROVIDEVERSION);
    flags = h.numbers(TAG.PROVIDEFLAGS);
    for (let i = 0; i < names.length && !appendAlways; i++) {
      if (eq(names[i], name) && eq(versions[i], pEVR) && flags[i] === RPMSENSE_EQUAL) return [];
    }
  }
  return [
    dribble.stringArray(TAG.PROVIDENAME, [...names, name]),
    dribble.stringArray(TAG.PROVIDEVERSION, [...versions, pEVR]),
    dribble.int32(TAG.PROVIDEFLAGS, [...flags, RPMSENSE_EQUAL]),
  ];
}
