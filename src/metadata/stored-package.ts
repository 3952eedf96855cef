// RepoPackage records read from a PackageStore on demand. A repo has ~20k packages but a
// solve touches a few hundred: name/EVR/arch are plain fields, everything else (dep lists,
// files, location, checksum, ...) is read from the store's arrays when first asked for.
// JSON.stringify sees every field (toJSON); use plainPackage() for a plain object copy.
import type { Checksum, ChecksumType, Dep, RepoPackage } from '../types/index.js';
import { lookupName, buildNamesIndex, buildObsoletesIndex, buildProvidesIndex } from './store-index.js';
import { NKINDS, strAt, type PackageStore, type StrCol } from './store.js';

/** Dep objects of a store, created once per unique dep when first read. */
const depObjects = new WeakMap<PackageStore, (Dep | undefined)[]>();

function depsOf(store: PackageStore): (Dep | undefined)[] {
  let d = depObjects.get(store);
  if (!d) depObjects.set(store, (d = new Array<Dep | undefined>(store.depName.length)));
  return d;
}

function depAt(st: PackageStore, deps: (Dep | undefined)[], id: number): Dep {
  return deps[id] ??= { name: strAt(st, st.depName[id]!), flags: st.depFlags[id]!, version: strAt(st, st.depVersion[id]!) };
}

/** One store as read by its packages. */
class StoreView {
  private readonly deps: (Dep | undefined)[];
  constructor(readonly store: PackageStore, readonly repo: string) {
    this.deps = depsOf(store);
  }
  str(col: StrCol, i: number): string {
    return strAt(this.store, this.store.str[col][i]!);
  }
  depList(i: number, kind: number): Dep[] {
    const st = this.store;
    const a = st.depStart[i * NKINDS + kind]!; const b = st.depStart[i * NKINDS + kind + 1]!;
    if (a === b) return EMPTY;
    const out = new Array<Dep>(b - a);
    for (let j = a; j < b; j++) out[j - a] = depAt(st, this.deps, st.depRefs[j]!);
    return out;
  }
  files(i: number): string[] {
    const st = this.store;
    const a = st.fileStart[i]!; const b = st.fileStart[i + 1]!;
    if (a === b) return NOFILES;
    const out = new Array<string>(b - a);
    for (let j = a; j < b; j++) out[j - a] = strAt(st, st.fileRefs[j]!);
    return out;
  }
}

// Most kinds are empty for most packages: they share one empty array (treat lists as read-only).
const EMPTY: Dep[] = [];
const NOFILES: string[] = [];

type Lazy = Omit<RepoPackage, 'name' | 'epoch' | 'version' | 'release' | 'arch' | 'repo'>;

export class StoredPackage implements RepoPackage {
  // name and arch are read for every package (modular filter, arch scores): plain fields
  name: string; epoch: number; arch: string; repo: string;
  readonly #view: StoreView;
  readonly #record: number;
  #version: string | undefined = undefined;
  #release: string | undefined = undefined;
  /** values read (or assigned) so far */
  #got: Partial<Lazy> | undefined = undefined;

  constructor(view: StoreView, record: number) {
    this.#view = view; this.#record = record;
    this.name = view.str('name', record); this.epoch = view.store.num.epoch[record]!;
    this.arch = view.str('arch', record); this.repo = view.repo;
  }

  get version(): string { return (this.#version ??= this.#view.str('version', this.#record)); }
  set version(v: string) { this.#version = v; }
  get release(): string { return (this.#release ??= this.#view.str('release', this.#record)); }
  set release(v: string) { this.#release = v; }

  /** position in the store (the primary's package order) */
  get record(): number { return this.#record; }
  /** the store this record belongs to */
  get store(): PackageStore { return this.#view.store; }

  #get<K extends keyof Lazy>(k: K, make: () => Lazy[K]): Lazy[K] {
    const got = (this.#got ??= {});
    if (!(k in got)) got[k] = make();
    return got[k] as Lazy[K];
  }
  #set<K extends keyof Lazy>(k: K, v: Lazy[K]): void { (this.#got ??= {})[k] = v; }

  get provides(): Dep[] { return this.#get('provides', () => this.#view.depList(this.#record, 0)); }
  set provides(v: Dep[]) { this.#set('provides', v); }
  get requires(): Dep[] { return this.#get('requires', () => this.#view.depList(this.#record, 1)); }
  set requires(v: Dep[]) { this.#set('requires', v); }
  get conflicts(): Dep[] { return this.#get('conflicts', () => this.#view.depList(this.#record, 2)); }
  set conflicts(v: Dep[]) { this.#set('conflicts', v); }
  get obsoletes(): Dep[] { return this.#get('obsoletes', () => this.#view.depList(this.#record, 3)); }
  set obsoletes(v: Dep[]) { this.#set('obsoletes', v); }
  get recommends(): Dep[] { return this.#get('recommends', () => this.#view.depList(this.#record, 4)); }
  set recommends(v: Dep[]) { this.#set('recommends', v); }
  get suggests(): Dep[] { return this.#get('suggests', () => this.#view.depList(this.#record, 5)); }
  set suggests(v: Dep[]) { this.#set('suggests', v); }
  get supplements(): Dep[] { return this.#get('supplements', () => this.#view.depList(this.#record, 6)); }
  set supplements(v: Dep[]) { this.#set('supplements', v); }
  get enhances(): Dep[] { return this.#get('enhances', () => this.#view.depList(this.#record, 7)); }
  set enhances(v: Dep[]) { this.#set('enhances', v); }
  get files(): string[] { return this.#get('files', () => this.#view.files(this.#record)); }
  set files(v: string[]) { this.#set('files', v); }

  get location(): string { return this.#get('location', () => this.#view.str('location', this.#record)); }
  set location(v: string) { this.#set('location', v); }
  get locationBase(): string | undefined { return this.#get('locationBase', () => this.#view.str('locationBase', this.#record) || undefined); }
  set locationBase(v: string | undefined) { this.#set('locationBase', v); }
  get checksum(): Checksum {
    return this.#get('checksum', () => ({ type: this.#view.str('checksumType', this.#record) as ChecksumType, value: this.#view.str('checksumValue', this.#record) }));
  }
  set checksum(v: Checksum) { this.#set('checksum', v); }
  get packageSize(): number { return this.#get('packageSize', () => this.#view.store.num.packageSize[this.#record]!); }
  set packageSize(v: number) { this.#set('packageSize', v); }
  get installedSize(): number { return this.#get('installedSize', () => this.#view.store.num.installedSize[this.#record]!); }
  set installedSize(v: number) { this.#set('installedSize', v); }
  get buildtime(): number { return this.#get('buildtime', () => this.#view.store.num.buildtime[this.#record]!); }
  set buildtime(v: number) { this.#set('buildtime', v); }
  get summary(): string { return this.#get('summary', () => this.#view.str('summary', this.#record)); }
  set summary(v: string) { this.#set('summary', v); }
  get sourcerpm(): string { return this.#get('sourcerpm', () => this.#view.str('sourcerpm', this.#record)); }
  set sourcerpm(v: string) { this.#set('sourcerpm', v); }
  get license(): string { return this.#get('license', () => this.#view.str('license', this.#record)); }
  set license(v: string) { this.#set('license', v); }
  get vendor(): string { return this.#get('vendor', () => this.#view.str('vendor', this.#record)); }
  set vendor(v: string) { this.#set('vendor', v); }
  get group(): string { return this.#get('group', () => this.#view.str('group', this.#record)); }
  set group(v: string) { this.#set('group', v); }

  toJSON(): RepoPackage { return plainPackage(this); }
}

/** A plain-object copy of any RepoPackage (every field an own property, as materialize() builds them). */
export function plainPackage(p: RepoPackage): RepoPackage {
  const out: RepoPackage = {
    name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, repo: p.repo, location: p.location,
    checksum: p.checksum, packageSize: p.packageSize, installedSize: p.installedSize, summary: p.summary, sourcerpm: p.sourcerpm,
    buildtime: p.buildtime, license: p.license, vendor: p.vendor, group: p.group,
    provides: p.provides, requires: p.requires, conflicts: p.conflicts, obsoletes: p.obsoletes,
    recommends: p.recommends, suggests: p.suggests, supplements: p.supplements, enhances: p.enhances, files: p.files,
  };
  if (p.locationBase !== undefined) out.locationBase = p.locationBase;
  return out;
}

/** Lazy RepoPackage objects for every record of a store, in store order. */
export function storedPackages(store: PackageStore, repoId: string): StoredPackage[] {
  const view = new StoreView(store, repoId);
  const out = new Array<StoredPackage>(store.count);
  for (let i = 0; i < store.count; i++) out[i] = new StoredPackage(view, i);
  return out;
}

/**
 * The name indexes of a store as the solver's pool reads them (solver `PackageIndex`):
 * pairs of (record, position) per name, and the record of a package.
 */
export class StoreIndex {
  readonly records: number;
  constructor(readonly store: PackageStore) {
    this.records = store.count;
  }
  recordOf(pkg: RepoPackage): number {
    return pkg instanceof StoredPackage && pkg.store === this.store ? pkg.record : -1;
  }
  // a store fresh from parsing has no indexes yet: built on first use
  provides(name: string): Int32Array | undefined { return lookupName(this.store.provIndex ??= buildProvidesIndex(this.store), this.store, name); }
  obsoletes(name: string): Int32Array | undefined { return lookupName(this.store.obsIndex ??= buildObsoletesIndex(this.store), this.store, name); }
  named(name: string): Int32Array | undefined { return lookupName(this.store.nameIndex ??= buildNamesIndex(this.store), this.store, name); }
  /** provide `position` of a record, without reading the record's whole provides list */
  provide(record: number, position: number): Dep {
    const st = this.store;
    return depAt(st, depsOf(st), st.depRefs[st.depStart[record * NKINDS]! + position]!);
  }
}
