import type { Dep } from '../types/deps.js';
import { Sense } from '../types/deps.js';
import { evrRangeMatches, formatDep } from '../version/index.js';
import type { Pool } from './pool.js';
import { evrString } from './pool.js';
import { isRich, parseRich, formatRich, type Rich } from './richdep.js';
import { lit } from './sat.js';
import { infarchRules, lockstepCandidates } from './lockstep.js';
import { unifyRules } from './unify.js';
import { updatesOf } from './installed.js';
import { choiceKeyOf, choiceRules } from './choice.js';

/** Why a clause exists; used by the decision sweep and to explain failures. */
export type RuleInfo =
  | { type: 'job'; job: number }
  | { type: 'requires'; pkg: number; dep: string }
  | { type: 'nothing-provides'; pkg: number; dep: string; raw?: Dep }
  | { type: 'conflicts'; pkg: number; other: number; dep: string }
  | { type: 'obsoletes'; pkg: number; other: number; dep: string }
  | { type: 'same-name'; pkg: number; other: number }
  /** installed pkg stays or is replaced by one of its updates (libsolv's update rule) */
  | { type: 'update'; pkg: number }
  /** pkg's requirement dep met by installed packages or their updates rather than new ones */
  | { type: 'choice'; pkg: number; dep: string; providers: number[] }
  /** installed pkg must move to one of its best updates (an update job with best) */
  | { type: 'best'; pkg: number }
  /** pkg (an inferior multilib arch) only with one of `others`: its best-arch siblings of the same EVR */
  | { type: 'lockstep'; pkg: number; others: number[] };

export interface RuleOptions {
  weakDeps: boolean;
  /** solvable ids that are installonly (several versions may be installed; no obsoletes) */
  installonly: Uint8Array;
  /** solvable ids removed by excludes */
  excluded: Uint8Array;
  /** same-name packages of different arch color (x86_64 vs i686) may be installed together */
  implicitObsoleteUsesColors: boolean;
  /** installed packages may be erased: no update rules (they are kept by decision only) */
  allowErasing?: boolean;
}

const MAX_CNF = 512;

/** Builds clauses for every package reachable from the jobs (as libsolv's addpkgrules). */
export class RuleBuilder {
  readonly clauses: number[][] = [];
  readonly infos: RuleInfo[] = [];
  readonly reachable: number[] = [];
  private readonly inQueue: Uint8Array;
  private readonly pairs = new Set<number>();
  private readonly richCache = new Map<string, Rich>();
  private readonly depText = new Map<Dep, string>();

  /** choice rules left out because they made the request unsolvable (libsolv's weak rules) */
  constructor(readonly pool: Pool, readonly opts: RuleOptions, readonly noChoice: ReadonlySet<string> = new Set()) {
    this.inQueue = new Uint8Array(pool.size + 1);
  }

  /** providers of a simple dependency, without excluded packages; rpmlib() deps are always met */
  providers(dep: Dep): number[] | null {
    if (dep.name.startsWith('rpmlib(')) return null;
    const all = this.pool.whatProvides(dep);
    const ex = this.opts.excluded;
    return all.some((id) => ex[id]) ? all.filter((id) => !ex[id]) : all;
  }

  rich(name: string): Rich {
    let r = this.richCache.get(name);
    if (!r) {
      r = parseRich(name);
      this.richCache.set(name, r);
    }
    return r;
  }

  add(lits: number[], info: RuleInfo): void {
    this.clauses.push(lits);
    this.infos.push(info);
  }

  private readonly jobCandidates: number[][] = [];

  /** an update job's clause (installed packages or their updates) is implied by the update rules: it only names the job */
  addJob(job: number, candidates: number[], update = false): void {
    const lits = update ? [...new Set(candidates.flatMap((c) => [c, ...this.updates(c)]))] : candidates;
    this.add(lits.map((c) => lit(c, true)), { type: 'job', job });
    this.jobCandidates.push(lits);
  }

  private readonly updateCache = new Map<number, number[]>();
  /** what may replace installed package p */
  updates(p: number): number[] {
    let u = this.updateCache.get(p);
    if (!u) this.updateCache.set(p, (u = updatesOf(this.pool, p, this.opts)));
    return u;
  }

  enqueue(id: number): void {
    if (this.inQueue[id]) return;
    this.inQueue[id] = 1;
    this.reachable.push(id);
  }

  private done = 0;

  /**
   * Rules for the closure of every job candidate, one candidate at a time, breadth first
   * (libsolv's solver_addpkgrulesforsolvable): the rule order steers the decision sweep.
   */
  build(infarchExempt: ReadonlySet<string> = new Set(), updating: ReadonlySet<number> = new Set()): void {
    // as libsolv's solver_solve: the installed packages first, then their updates, then the jobs
    const inst = this.pool.installedIds;
    for (const p of inst) { this.enqueue(p); this.drain(); }
    for (const p of inst) for (const q of this.updates(p)) { this.enqueue(q); this.drain(); }
    for (const cands of this.jobCandidates) for (const c of cands) { this.enqueue(c); this.drain(); }
    if (this.opts.weakDeps) {
      for (let before = -1; before !== this.reachable.length;) {
        before = this.reachable.length;
        this.addSupplementers();
        this.drain();
      }
    }
    const infarch = infarchRules(this, infarchExempt);
    unifyRules(this.clauses, this.infos, this.jobCandidates.length);
    // installonly packages are kept beside their new versions; others may give way to an update
    if (!this.opts.allowErasing) for (const p of inst) this.add([p, ...(this.opts.installonly[p] ? [] : this.updates(p))].map((q) => lit(q, true)), { type: 'update', pkg: p });
    if (inst.length) for (const r of choiceRules(this, updating)) if (!this.noChoice.has(choiceKeyOf(r.info))) this.add(r.lits, r.info);
    // after the package rules, as libsolv adds them after its job rules
    for (const r of infarch) this.add(r.lits, r.info);
  }

  /** has the package rules (is in the closure) */
  isReachable(id: number): boolean {
    return this.inQueue[id] === 1;
  }

  /** add rules for everything enqueued so far */
  drain(): void {
    while (this.done < this.reachable.length) this.addPackage(this.reachable[this.done++]!);
  }

  private addPackage(id: number): void {
    const s = this.pool.solvable(id);
    const pkg = s.pkg;
    const installed = this.pool.isInstalled(id);
    // a requirement listed twice (e.g. plain and Requires(pre)) gives the same clause, which
    // unifyRules drops; only the same Dep object twice is skipped here (no key strings)
    const reqs = pkg.requires;
    for (let i = 0; i < reqs.length; i++) {
      const d = reqs[i]!;
      if (reqs.indexOf(d) < i) continue;
      // libsolv's dontfix: a requirement the installed system already fails is not enforced
      if (installed && !this.installedMeets(d)) continue;
      this.addRequires(id, d);
    }
    const cons = pkg.conflicts;
    for (let i = 0; i < cons.length; i++) this.addConflicts(id, cons[i]!, installed);
    const noobs = this.opts.installonly[id] === 1;
    const obs = pkg.obsoletes;
    // Obsoletes act when a package is installed: an installed package's are spent
    if (!noobs && !installed) for (let i = 0; i < obs.length; i++) this.addObsoletes(id, obs[i]!);
    const same = this.pool.named(pkg.name);
    if (!noobs) {
      for (let i = 0; i < same.length; i++) {
        const q = same[i]!;
        if (q === id || this.opts.excluded[q] || (installed && this.pool.isInstalled(q))) continue;
        if (this.opts.implicitObsoleteUsesColors && !colorMatch(pkg.arch, this.pool.pkgOf(q).arch)) continue;
        this.sameName(id, q);
      }
    }
    lockstepCandidates(this, id);
    // like libsolv, follow recommends and suggests too (rules only; nothing is installed for them)
    for (const list of [pkg.recommends, pkg.suggests]) {
      for (let i = 0; i < list.length; i++) {
        const d = list[i]!;
        if (isRich(d.name)) { for (const a of this.atoms(this.rich(d.name))) this.enqueue(a); continue; }
        const prov = this.providers(d);
        if (prov) for (let k = 0; k < prov.length; k++) this.enqueue(prov[k]!);
      }
    }
  }

  /** the same-name rule between a and b, once per pair */
  private sameName(a: number, b: number): void {
    const key = a < b ? a * 0x200000 + b : b * 0x200000 + a;
    if (this.pairs.has(key)) return;
    this.pairs.add(key);
    this.add([lit(a, false), lit(b, false)], { type: 'same-name', pkg: a, other: b });
  }

  private addRequires(id: number, d: Dep): void {
    if (isRich(d.name)) {
      const dep = d.name;
      for (const c of this.cnf(this.rich(d.name), true)) {
        if (c.includes(lit(id, true))) continue;
        this.add([lit(id, false), ...c], c.length ? { type: 'requires', pkg: id, dep } : { type: 'nothing-provides', pkg: id, dep });
        for (const l of c) if ((l & 1) === 0) this.enqueue(l >> 1);
      }
      return;
    }
    const prov = this.providers(d);
    if (prov === null) return;
    if (prov.includes(id)) return; // a package satisfies its own requirement
    // deps are shared objects (one per distinct dep of a repo): format each once
    let dep = this.depText.get(d);
    if (dep === undefined) this.depText.set(d, (dep = formatDep(d)));
    if (prov.length === 0) {
      this.add([lit(id, false)], { type: 'nothing-provides', pkg: id, dep, raw: d });
      return;
    }
    const c = new Array<number>(prov.length + 1);
    c[0] = lit(id, false);
    for (let k = 0; k < prov.length; k++) c[k + 1] = lit(prov[k]!, true);
    this.add(c, { type: 'requires', pkg: id, dep });
    for (let k = 0; k < prov.length; k++) this.enqueue(prov[k]!);
  }

  /** a dependency the installed packages meet (rich ones are taken as met) */
  private installedMeets(d: Dep): boolean {
    if (isRich(d.name)) return true;
    const prov = this.providers(d);
    return prov === null || prov.some((q) => this.pool.isInstalled(q));
  }

  /** conflicts among installed packages are left as they are (libsolv's dontfix) */
  private addConflicts(id: number, d: Dep, installed: boolean): void {
    if (isRich(d.name)) {
      for (const c of this.cnf(this.rich(d.name), false)) {
        if (c.includes(lit(id, false))) continue;
        const others = c.filter((l) => l & 1).map((l) => l >> 1);
        this.add([lit(id, false), ...c], { type: 'conflicts', pkg: id, other: others[0] ?? id, dep: d.name });
      }
      return;
    }
    for (const q of this.providers(d) ?? []) {
      if (q === id || (installed && this.pool.isInstalled(q))) continue;
      this.add([lit(id, false), lit(q, false)], { type: 'conflicts', pkg: id, other: q, dep: formatDep(d) });
    }
  }

  private addObsoletes(id: number, d: Dep): void {
    // rpm obsoletes match package names (not provides), with the range on the package EVR
    for (const q of this.pool.named(d.name)) {
      if (q === id || this.opts.excluded[q]) continue;
      const qs = this.pool.solvable(q).pkg;
      if (!evrRangeMatches({ name: qs.name, flags: Sense.EQUAL, version: evrString(qs) }, d)) continue;
      this.add([lit(id, false), lit(q, false)], { type: 'obsoletes', pkg: id, other: q, dep: formatDep(d) });
    }
  }

  /** Packages whose Supplements mention something reachable (weak deps only). */
  private addSupplementers(): void {
    const reach = this.inQueue;
    for (let id = 1; id <= this.pool.size; id++) {
      if (reach[id] || this.opts.excluded[id]) continue;
      const sup = this.pool.solvable(id).pkg.supplements;
      if (!sup.length) continue;
      const hit = sup.some((d) => {
        const atoms = isRich(d.name) ? this.atoms(this.rich(d.name)) : this.providers(d) ?? [];
        return atoms.some((a) => reach[a]);
      });
      if (hit) this.enqueue(id);
    }
  }

  /** every package mentioned positively or negatively in a rich dependency */
  atoms(r: Rich): number[] {
    switch (r.op) {
      case 'dep': return this.providers(r.dep) ?? [];
      case 'if': case 'unless': return [...this.atoms(r.a), ...this.atoms(r.b), ...(r.c ? this.atoms(r.c) : [])];
      default: return r.args.flatMap((a) => this.atoms(a));
    }
  }

  /** package set for `with`/`without` (a single package must match) */
  private set(r: Rich): number[] {
    if (r.op === 'dep') return this.providers(r.dep) ?? [0];
    if (r.op === 'with') {
      let acc = this.set(r.args[0]!);
      for (const a of r.args.slice(1)) { const s = new Set(this.set(a)); acc = acc.filter((x) => s.has(x)); }
      return acc;
    }
    if (r.op === 'without') {
      let acc = this.set(r.args[0]!);
      for (const a of r.args.slice(1)) { const s = new Set(this.set(a)); acc = acc.filter((x) => !s.has(x)); }
      return acc;
    }
    return this.atoms(r);
  }

  /**
   * CNF (list of clauses of literals) of a rich dependency being true (pos) or false (!pos),
   * with libsolv's meaning of the operators: `A if B` = A | ~B, `A unless B` = A & ~B.
   */
  /** the CNF of a rich dependency (pos) or of its negation; cached per parsed dep, treat as read-only */
  cnf(r: Rich, pos: boolean): number[][] {
    const m = pos ? this.cnfPos : this.cnfNeg;
    let v = m.get(r);
    if (!v) m.set(r, (v = this.cnfOf(r, pos)));
    return v;
  }

  private readonly cnfPos = new Map<Rich, number[][]>();
  private readonly cnfNeg = new Map<Rich, number[][]>();

  private cnfOf(r: Rich, pos: boolean): number[][] {
    switch (r.op) {
      case 'dep': case 'with': case 'without': {
        const set = r.op === 'dep' ? this.providers(r.dep) : this.set(r);
        if (set === null || set.includes(0)) return pos ? [] : [[]]; // rpmlib(): always true
        return pos ? [set.map((p) => lit(p, true))] : set.map((p) => [lit(p, false)]);
      }
      case 'and':
        return pos ? r.args.flatMap((a) => this.cnf(a, true)) : r.args.map((a) => this.cnf(a, false)).reduce(cross);
      case 'or':
        return pos ? r.args.map((a) => this.cnf(a, true)).reduce(cross) : r.args.flatMap((a) => this.cnf(a, false));
      case 'if': {
        const A = this.cnf(r.a, true), nA = this.cnf(r.a, false), B = this.cnf(r.b, true), nB = this.cnf(r.b, false);
        if (!r.c) return pos ? cross(A, nB) : [...nA, ...B];
        const C = this.cnf(r.c, true), nC = this.cnf(r.c, false);
        return pos ? [...cross(A, nB), ...cross(C, B)] : cross([...nA, ...B], [...nC, ...nB]);
      }
      case 'unless': {
        const A = this.cnf(r.a, true), nA = this.cnf(r.a, false), B = this.cnf(r.b, true), nB = this.cnf(r.b, false);
        if (!r.c) return pos ? [...A, ...nB] : cross(nA, B);
        const C = this.cnf(r.c, true), nC = this.cnf(r.c, false);
        return pos ? cross([...A, ...nB], [...C, ...B]) : [...cross(nA, B), ...cross(nC, nB)];
      }
    }
  }
}

/** OR of two CNFs: every clause of one joined with every clause of the other. */
function cross(a: number[][], b: number[][]): number[][] {
  const out: number[][] = [];
  for (const x of a) for (const y of b) {
    const s = new Set([...x, ...y]);
    let taut = false;
    for (const l of s) if (s.has(l ^ 1)) { taut = true; break; }
    if (!taut) out.push([...s]);
    if (out.length > MAX_CNF) return out;
  }
  return out;
}

const COLOR64 = new Set(['x86_64', 'x86_64_v2', 'x86_64_v3', 'x86_64_v4', 'amd64', 'aarch64', 'ppc64', 'ppc64le', 's390x', 'ia64', 'sparc64', 'riscv64']);
function color(arch: string): number {
  if (arch === 'noarch' || arch === 'all' || arch === 'any') return 0;
  return COLOR64.has(arch) ? 2 : 1;
}
function colorMatch(a: string, b: string): boolean {
  const ca = color(a), cb = color(b);
  return ca === 0 || cb === 0 || ca === cb;
}

export function ruleDepText(d: Dep): string {
  return isRich(d.name) ? formatRich(parseRich(d.name)) : formatDep(d);
}
