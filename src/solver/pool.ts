import type { Dep, Evr } from '../types/deps.js';
import { Sense } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';
import { evrRangeMatches } from '../version/index.js';
import { archScores } from './arch.js';
import type { PoolOptions, PoolRepo } from './types.js';

/** A package inside the pool; `id` is its SAT variable (1-based). */
export interface Solvable {
  id: number;
  pkg: RepoPackage;
  repoIndex: number;
  /** dnf priority and cost of its repo (lower wins) */
  priority: number;
  cost: number;
  /** arch score (lower is better, 1 = noarch); 0 when the pool does no arch filtering */
  archScore: number;
  evr: Evr;
  nevra: string;
}

export interface ProvideEntry {
  sid: number;
  dep: Dep;
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
  private readonly provides = new Map<string, ProvideEntry[]>();
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
        const s: Solvable = {
          id, pkg, repoIndex, priority: repo.priority, cost: repo.cost, archScore,
          evr: { epoch: pkg.epoch, version: pkg.version, release: pkg.release }, nevra: nevraOf(pkg),
        };
        this.solvables.push(s);
        push(this.byName, pkg.name, id);
        let self = false;
        for (const d of pkg.provides) {
          push(this.provides, d.name, { sid: id, dep: d });
          if (d.name === pkg.name && (d.flags & Sense.EQUAL) !== 0 && !self) self = sameEvr(d.version, pkg);
        }
        if (!self) push(this.provides, pkg.name, { sid: id, dep: { name: pkg.name, flags: Sense.EQUAL, version: evrString(pkg) } });
        for (const f of pkg.files) push(this.files, f, id);
        for (const d of pkg.obsoletes) push(this.obsoletesIdx, d.name, { sid: id, dep: d });
      }
      if (repo.filelists) this.addFilelists(repo.id, repo.filelists);
    });
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
    for (const e of this.provides.get(dep.name) ?? []) {
      if (seen.has(e.sid)) continue;
      if (evrRangeMatches(e.dep, dep)) {
        seen.add(e.sid);
        out.push(e.sid);
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
    return this.provides.keys();
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const a = m.get(k);
  if (a) a.push(v);
  else m.set(k, [v]);
}

function sameEvr(version: string, p: RepoPackage): boolean {
  return version === evrString(p) || version === `0:${p.version}-${p.release}` || version === `${p.epoch}:${p.version}-${p.release}`;
}

export function createPool(repos: PoolRepo[], opts: PoolOptions): Pool {
  return new Pool(repos, opts);
}
