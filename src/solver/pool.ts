import type { Dep, Evr } from '../types/deps.js';
import { Sense } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';
import { evrRangeMatches } from '../version/index.js';
import { archScores } from './arch.js';
import { OwnProvides, evrString, hasSelfProvide } from './own-index.js';
import type { PackageIndex, PoolOptions, PoolRepo } from './types.js';

export { evrString };

/** A package inside the pool; `id` is its SAT variable (1-based). */
export interface ProvideEntry {
  sid: number;
  dep: Dep;
}

export class Solvable {
  private nevraCache: string | undefined;
  constructor(
    readonly id: number,
    readonly pkg: RepoPackage,
    readonly repoIndex: number,
    /** dnf priority and cost of its repo (lower wins) */
    readonly priority: number,
    readonly cost: number,
    /** arch score (lower is better, 1 = noarch); 0 when the pool does no arch filtering */
    readonly archScore: number,
  ) {}
  /** the package EVR (RepoPackage carries epoch/version/release itself) */
  get evr(): Evr {
    return this.pkg;
  }
  get nevra(): string {
    return (this.nevraCache ??= nevraOf(this.pkg));
  }
}

export function nevraOf(p: Pick<RepoPackage, 'name' | 'version' | 'release' | 'arch'> & { epoch: number | null }): string {
  const e = p.epoch ? `${p.epoch}:` : '';
  return `${p.name}-${e}${p.version}-${p.release}.${p.arch}`;
}


/**
 * Interned view of the repositories: solvables, the provides index (explicit provides plus
 * each package's self-provide `name = E:V-R`) and file provides (primary's file subset, then
 * full filelists once added). Packages of an architecture the host cannot run are left out.
 * Repos that come with a PackageIndex (metadata read from the pool cache) are looked up in
 * it; the pool indexes the others itself. Solvable objects are made when first asked for.
 */
export class Pool {
  readonly repos: PoolRepo[];
  readonly arch: string;
  readonly scores: Map<string, number> | null;
  /** per solvable id (index 0 unused so ids can be SAT variables): package, repo, arch score */
  private readonly pkgs: RepoPackage[] = [];
  private readonly repoOf: number[] = [0];
  private readonly archOf: number[] = [0];
  /** made on demand; sized once the pool is built (assigning far past the end would make V8 use a slow dictionary) */
  private solvables: (Solvable | undefined)[] = [];
  /** whatProvides' "seen" marks: mark[sid] === stamp */
  private mark = new Int32Array(0);
  private stamp = 0;
  /** names of packages of repos without a PackageIndex */
  private readonly byName = new Map<string, number[]>();
  private readonly namedCache = new Map<string, number[]>();
  /** provides of repos without a PackageIndex */
  private own: OwnProvides | null = null;
  private readonly files = new Map<string, number[]>();
  private readonly obsoletesIdx = new Map<string, ProvideEntry[]>();
  private readonly filelistRepos = new Set<string>();
  private readonly cache = new Map<string, number[]>();
  private readonly depCache = new Map<Dep, number[]>();
  /** 1 for solvables whose provides, files and obsoletes this pool indexes itself */
  private readonly unindexed: number[] = [0];
  private readonly firstSid: number[] = [];
  /** repos whose metadata came with name indexes: record -> solvable id (0 = not in the pool) */
  private readonly indexed: { index: PackageIndex; sidOf: Int32Array }[] = [];
  /** solvable ids of the installed repo's packages, in id order */
  readonly installedIds: number[] = [];

  constructor(repos: PoolRepo[], opts: PoolOptions) {
    this.repos = repos;
    this.arch = opts.arch;
    this.scores = archScores(opts.arch);
    this.pkgs.push(undefined as unknown as RepoPackage);
    const selfless: number[] = [];
    repos.forEach((repo, repoIndex) => {
      this.firstSid.push(this.pkgs.length);
      const ix = repo.index;
      const sidOf = ix && repo.packages.every((p) => ix.recordOf(p) >= 0) ? new Int32Array(ix.records) : null;
      if (ix && sidOf) this.indexed.push({ index: ix, sidOf });
      let lastArch = ''; let lastScore: number | undefined = 0;
      for (const pkg of repo.packages) {
        if (pkg.arch === 'src' || pkg.arch === 'nosrc') continue;
        let archScore = 0;
        if (this.scores && repo.installed) archScore = this.scores.get(pkg.arch) ?? 0;
        else if (this.scores) {
          // packages come grouped by arch often enough that one remembered lookup pays
          if (pkg.arch !== lastArch) { lastArch = pkg.arch; lastScore = this.scores.get(pkg.arch); }
          if (lastScore === undefined) continue; // foreign arch: never installable
          archScore = lastScore;
        }
        const id = this.pkgs.length;
        if (repo.installed) this.installedIds.push(id);
        this.pkgs.push(pkg); this.repoOf.push(repoIndex); this.archOf.push(archScore);
        if (ix && sidOf) { sidOf[ix.recordOf(pkg)] = id; this.unindexed.push(0); continue; }
        this.unindexed.push(1);
        push(this.byName, pkg.name, id);
        if (!hasSelfProvide(pkg)) selfless.push(id);
        const files = pkg.files;
        for (let k = 0; k < files.length; k++) push(this.files, files[k]!, id);
        for (const d of pkg.obsoletes) push(this.obsoletesIdx, d.name, { sid: id, dep: d });
      }
    });
    this.solvables = new Array<Solvable | undefined>(this.pkgs.length);
    this.mark = new Int32Array(this.pkgs.length);
    const ownIds: number[] = [];
    for (let id = 1; id < this.pkgs.length; id++) if (this.unindexed[id]) ownIds.push(id);
    if (ownIds.length) this.own = new OwnProvides(this.pkgs, ownIds, new Set(selfless));
    for (const repo of repos) if (repo.filelists) this.addFilelists(repo.id, repo.filelists);
  }

  get size(): number {
    return this.pkgs.length - 1;
  }

  /** the package of a solvable id, without making its Solvable */
  pkgOf(id: number): RepoPackage {
    const pkg = this.pkgs[id];
    if (!pkg || id === 0) throw new Error(`no solvable ${id}`);
    return pkg;
  }

  /** whether a solvable belongs to the installed system */
  isInstalled(id: number): boolean {
    return this.repos[this.repoOf[id] ?? -1]?.installed === true;
  }

  /** arch score of a solvable id (see Solvable.archScore) */
  archScoreOf(id: number): number {
    return this.archOf[id] ?? 0;
  }

  /** the best (lowest) arch score of any package in the pool, noarch aside; 0 without arch filtering */
  get bestArchScore(): number {
    if (this.bestScore < 0) {
      let best = 0;
      for (let id = 1; id < this.archOf.length; id++) {
        const a = this.archOf[id]!;
        if (a > 1 && (!best || a < best)) best = a;
      }
      this.bestScore = best;
    }
    return this.bestScore;
  }
  private bestScore = -1;

  solvable(id: number): Solvable {
    const s = this.solvables[id];
    if (s) return s;
    const pkg = this.pkgs[id];
    if (!pkg || id === 0) throw new Error(`no solvable ${id}`);
    const ri = this.repoOf[id]!;
    const repo = this.repos[ri]!;
    return (this.solvables[id] = new Solvable(id, pkg, ri, repo.priority, repo.cost, this.archOf[id]!));
  }

  hasFilelists(repoId: string): boolean {
    return this.filelistRepos.has(repoId);
  }

  /** Add full file lists for one repo (index = position in that repo's `packages`). */
  addFilelists(repoId: string, lists: string[][]): void {
    const ri = this.repos.findIndex((r) => r.id === repoId);
    const repo = this.repos[ri];
    if (!repo || this.filelistRepos.has(repoId)) return;
    this.filelistRepos.add(repoId);
    // map package index -> solvable id (skipped packages have none)
    const sidOf = new Map<RepoPackage, number>();
    const start = this.firstSid[ri] ?? 1;
    for (let id = start; id < this.pkgs.length; id++) {
      if (this.repoOf[id] !== ri) break;
      sidOf.set(this.pkgs[id]!, id);
    }
    repo.packages.forEach((pkg, i) => {
      const id = sidOf.get(pkg);
      const list = lists[i];
      if (id === undefined || !list) return;
      const primary = new Set(pkg.files);
      for (const f of list) if (!primary.has(f)) push(this.files, f, id);
    });
    this.cache.clear();
    this.depCache.clear();
  }

  /** Solvable ids providing a simple (non-rich) dependency, in id order. */
  whatProvides(dep: Dep): number[] {
    // metadata deps are shared objects (one per distinct dep): most lookups hit by identity
    const byDep = this.depCache.get(dep);
    if (byDep) return byDep;
    const key = `${dep.name}\0${dep.flags & 14}\0${dep.version}`;
    const hit = this.cache.get(key);
    if (hit) { this.depCache.set(dep, hit); return hit; }
    const out: number[] = [];
    const mark = this.mark;
    const stamp = ++this.stamp;
    let sorted = true;
    const take = (sid: number): void => {
      mark[sid] = stamp;
      if (out.length && out[out.length - 1]! > sid) sorted = false;
      out.push(sid);
    };
    // an unversioned requirement is met by any provide of the name (evrRangeMatches)
    const anyVersion = (dep.flags & 14) === 0 || !dep.version;
    const data = this.own?.provides(dep.name);
    if (data) {
      for (let i = 0; i < data.length; i += 2) {
        const sid = data[i]!;
        if (mark[sid] === stamp) continue;
        if (!anyVersion) {
          const k = data[i + 1]!;
          const pkg = this.pkgs[sid]!;
          const pd = k >= 0 ? pkg.provides[k]! : { name: pkg.name, flags: Sense.EQUAL, version: evrString(pkg) };
          if (!evrRangeMatches(pd, dep)) continue;
        }
        take(sid);
      }
    }
    const isPath = dep.name.startsWith('/');
    for (let r = 0; r < this.indexed.length; r++) {
      const { index, sidOf } = this.indexed[r]!;
      const pairs = index.provides(dep.name);
      if (!pairs) continue;
      for (let i = 0; i < pairs.length; i += 2) {
        const sid = sidOf[pairs[i]!]!;
        if (sid === 0 || mark[sid] === stamp) continue;
        const k = pairs[i + 1]!;
        if (k === -2) { if (!isPath) continue; } else if (!anyVersion) {
          const pd = k >= 0 ? index.provide(pairs[i]!, k) : { name: dep.name, flags: Sense.EQUAL, version: evrString(this.pkgs[sid]!) };
          if (!evrRangeMatches(pd, dep)) continue;
        }
        take(sid);
      }
    }
    if (isPath) for (const id of this.files.get(dep.name) ?? []) if (mark[id] !== stamp) take(id);
    if (!sorted) out.sort((a, b) => a - b);
    this.cache.set(key, out);
    this.depCache.set(dep, out);
    return out;
  }

  /** Packages with an Obsoletes on `name`, with that dependency. */
  whatObsoletes(name: string): readonly ProvideEntry[] {
    const own = this.obsoletesIdx.get(name) ?? [];
    if (!this.indexed.length) return own;
    const out = own.slice();
    for (const { index, sidOf } of this.indexed) {
      const pairs = index.obsoletes(name);
      if (!pairs) continue;
      for (let i = 0; i < pairs.length; i += 2) {
        const sid = sidOf[pairs[i]!]!;
        if (sid !== 0) out.push({ sid, dep: this.pkgs[sid]!.obsoletes[pairs[i + 1]!]! });
      }
    }
    // in solvable order, as a single index over all repos would list them
    return out.sort((a, b) => a.sid - b.sid);
  }

  /** Solvables whose `name` (not provides) is `name`, in id order. */
  named(name: string): number[] {
    const own = this.byName.get(name) ?? NONE;
    if (!this.indexed.length) return own;
    const hit = this.namedCache.get(name);
    if (hit) return hit;
    const out = own.slice();
    for (let r = 0; r < this.indexed.length; r++) {
      const { index, sidOf } = this.indexed[r]!;
      const recs = index.named(name);
      if (!recs) continue;
      for (let i = 0; i < recs.length; i += 2) {
        const sid = sidOf[recs[i]!]!;
        if (sid !== 0) out.push(sid);
      }
    }
    out.sort((a, b) => a - b);
    this.namedCache.set(name, out);
    return out;
  }

  /** Every package name in the pool, sorted. */
  names(): string[] {
    const out = new Set<string>();
    for (let id = 1; id < this.pkgs.length; id++) out.add(this.pkgs[id]!.name);
    return [...out].sort();
  }

}

const NONE: number[] = [];

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

export function createPool(repos: PoolRepo[], opts: PoolOptions): Pool {
  return new Pool(repos, opts);
}
