import type { Dep, Evr } from '../types/deps.js';
import { Sense } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';
import { evrRangeMatches } from '../version/index.js';
import { archScores } from './arch.js';
import type { PoolOptions, PoolRepo } from './types.js';

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

export function nevraOf(p: RepoPackage): string {
  const e = p.epoch ? `${p.epoch}:` : '';
  return `${p.name}-${e}${p.version}-${p.release}.${p.arch}`;
}

export function evrString(p: { epoch: number; version: string; release: string }): string {
  const e = p.epoch ? `${p.epoch}:` : '';
  return p.release ? `${e}${p.version}-${p.release}` : `${e}${p.version}`;
}

/**
 * Interned view of the repositories: solvables, the provides index (explicit provides plus
 * each package's self-provide `name = E:V-R`) and file provides (primary's file subset, then
 * full filelists once added). Packages of an architecture the host cannot run are left out.
 */
export class Pool {
  readonly repos: PoolRepo[];
  readonly arch: string;
  readonly scores: Map<string, number> | null;
  /** index 0 unused so ids can be SAT variables */
  readonly solvables: Solvable[] = [];
  readonly byName = new Map<string, number[]>();
  /**
   * provides index in CSR form: name -> ordinal; entries of ordinal o are the pairs
   * [solvable id, index into pkg.provides (-1 = self-provide)] in provData[2*provStart[o] ..
   * 2*provStart[o+1]). Two passes without per-name arrays keep pool building cheap.
   */
  private readonly provOrd = new Map<string, number>();
  private provStart = new Int32Array(0);
  private provData = new Int32Array(0);
  private readonly files = new Map<string, number[]>();
  private readonly obsoletesIdx = new Map<string, ProvideEntry[]>();
  private readonly filelistRepos = new Set<string>();
  private readonly cache = new Map<string, number[]>();
  private readonly firstSid: number[] = [];

  constructor(repos: PoolRepo[], opts: PoolOptions) {
    this.repos = repos;
    this.arch = opts.arch;
    this.scores = archScores(opts.arch);
    this.solvables.push(undefined as unknown as Solvable);
    const selfless: number[] = [];
    repos.forEach((repo, repoIndex) => {
      this.firstSid.push(this.solvables.length);
      for (const pkg of repo.packages) {
        let archScore = 0;
        if (this.scores) {
          const sc = this.scores.get(pkg.arch);
          if (sc === undefined) continue; // src, nosrc, foreign arch: never installable
          archScore = sc;
        }
        if (pkg.arch === 'src' || pkg.arch === 'nosrc') continue;
        const id = this.solvables.length;
        this.solvables.push(new Solvable(id, pkg, repoIndex, repo.priority, repo.cost, archScore));
        push(this.byName, pkg.name, id);
        if (!hasSelfProvide(pkg)) selfless.push(id);
        const files = pkg.files;
        for (let k = 0; k < files.length; k++) push(this.files, files[k]!, id);
        for (const d of pkg.obsoletes) push(this.obsoletesIdx, d.name, { sid: id, dep: d });
      }
    });
    this.buildProvides(selfless);
    for (const repo of repos) if (repo.filelists) this.addFilelists(repo.id, repo.filelists);
  }

  private buildProvides(selfless: number[]): void {
    const ord = this.provOrd;
    const counts: number[] = [];
    const selfSet = new Set(selfless);
    const count = (name: string): void => {
      const o = ord.get(name);
      if (o === undefined) { ord.set(name, counts.length); counts.push(1); } else counts[o]!++;
    };
    const n = this.solvables.length;
    for (let id = 1; id < n; id++) {
      const pkg = this.solvables[id]!.pkg;
      for (const d of pkg.provides) count(d.name);
      if (selfSet.has(id)) count(pkg.name);
    }
    const start = new Int32Array(counts.length + 1);
    for (let o = 0; o < counts.length; o++) start[o + 1] = start[o]! + counts[o]!;
    const cursor = start.slice(0, counts.length);
    const data = new Int32Array(start[counts.length]! * 2);
    const put = (name: string, id: number, k: number): void => {
      const o = ord.get(name)!;
      const at = cursor[o]!++ * 2;
      data[at] = id;
      data[at + 1] = k;
    };
    for (let id = 1; id < n; id++) {
      const pkg = this.solvables[id]!.pkg;
      const provs = pkg.provides;
      for (let k = 0; k < provs.length; k++) put(provs[k]!.name, id, k);
      if (selfSet.has(id)) put(pkg.name, id, -1);
    }
    this.provStart = start;
    this.provData = data;
  }

  get size(): number {
    return this.solvables.length - 1;
  }

  solvable(id: number): Solvable {
    const s = this.solvables[id];
    if (!s) throw new Error(`no solvable ${id}`);
    return s;
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
    for (let id = start; id < this.solvables.length; id++) {
      const s = this.solvables[id]!;
      if (s.repoIndex !== ri) break;
      sidOf.set(s.pkg, id);
    }
    repo.packages.forEach((pkg, i) => {
      const id = sidOf.get(pkg);
      const list = lists[i];
      if (id === undefined || !list) return;
      const primary = new Set(pkg.files);
      for (const f of list) if (!primary.has(f)) push(this.files, f, id);
    });
    this.cache.clear();
  }

  /** Solvable ids providing a simple (non-rich) dependency, in id order. */
  whatProvides(dep: Dep): number[] {
    const key = `${dep.name}\0${dep.flags & 14}\0${dep.version}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const out: number[] = [];
    const seen = new Set<number>();
    const o = this.provOrd.get(dep.name);
    if (o !== undefined) {
      const data = this.provData;
      for (let i = this.provStart[o]! * 2, end = this.provStart[o + 1]! * 2; i < end; i += 2) {
        const sid = data[i]!;
        if (seen.has(sid)) continue;
        const k = data[i + 1]!;
        const pkg = this.solvables[sid]!.pkg;
        const pd = k >= 0 ? pkg.provides[k]! : { name: pkg.name, flags: Sense.EQUAL, version: evrString(pkg) };
        if (evrRangeMatches(pd, dep)) {
          seen.add(sid);
          out.push(sid);
        }
      }
    }
    if (dep.name.startsWith('/')) for (const id of this.files.get(dep.name) ?? []) if (!seen.has(id)) { seen.add(id); out.push(id); }
    out.sort((a, b) => a - b);
    this.cache.set(key, out);
    return out;
  }

  /** Packages with an Obsoletes on `name`, with that dependency. */
  whatObsoletes(name: string): readonly ProvideEntry[] {
    return this.obsoletesIdx.get(name) ?? [];
  }

  /** Solvables whose `name` (not provides) is `name`. */
  named(name: string): number[] {
    return this.byName.get(name) ?? [];
  }

  /** All provide names (for request matching of provides / globs). */
  provideNames(): IterableIterator<string> {
    return this.provOrd.keys();
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

/** does the package list its own `name = E:V-R` (rpm adds it; old metadata may not)? */
function hasSelfProvide(pkg: RepoPackage): boolean {
  for (const d of pkg.provides) if (d.name === pkg.name && (d.flags & Sense.EQUAL) !== 0 && sameEvr(d.version, pkg)) return true;
  return false;
}

function sameEvr(version: string, p: RepoPackage): boolean {
  return version === evrString(p) || version === `0:${p.version}-${p.release}` || version === `${p.epoch}:${p.version}-${p.release}`;
}

export function createPool(repos: PoolRepo[], opts: PoolOptions): Pool {
  return new Pool(repos, opts);
}
