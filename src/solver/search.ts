// The solve loop: CDCL propagation and learning from sat.ts, decisions in libsolv's order
// (job rules first, then a cyclic sweep over package rules, then weak dependencies), each
// decision picking the policy's best candidate.
import type { Dep } from '../types/deps.js';
import type { Pool } from './pool.js';
import { bestPerName, filterUnwanted, type PolicyContext } from './policy.js';
import { isRich } from './richdep.js';
import { RuleBuilder, type RuleOptions } from './rules.js';
import { Sat, lit } from './sat.js';
import type { Job } from './jobs.js';

export type SearchResult =
  | { ok: true; installed: number[]; reason: Map<number, string> }
  | { ok: false; core: number[]; rb: RuleBuilder };

export function search(pool: Pool, jobs: Job[], ropts: RuleOptions): SearchResult {
  const rb = new RuleBuilder(pool, ropts);
  jobs.forEach((j, i) => rb.addJob(i, j.candidates));
  rb.build();
  const sat = new Sat(pool.size);
  for (const c of rb.clauses) sat.addClause(c.slice());
  if (sat.rootConflict >= 0) return { ok: false, core: sat.core(sat.rootConflict), rb };
  const nJobs = jobs.length;
  const nRules = sat.originals;
  const why = new Map<number, string>();
  const weakTried = new Set<number>();
  const rec = new RecommendsTracker(pool, rb, sat);
  const ctx: PolicyContext = { pool, recommended: (id) => rec.recommended(id), suggested: (id) => rec.suggested(id), excluded: ropts.excluded };
  let sweep = nJobs;

  const choose = (cands: number[], mode: 'choose' | 'recommend' = 'choose'): number => filterUnwanted(cands, ctx, mode)[0]!;

  const nextDecision = (): number => {
    // 1. job rules in order
    for (let i = 0; i < nJobs; i++) {
      const cands = openCandidates(sat, sat.clauses[i]!);
      if (cands && cands.length) {
        const d = choose(cands);
        why.set(d, `requested (${jobs[i]!.spec})`);
        return d;
      }
    }
    // 2. package rules, swept cyclically from where the last decision was made
    const span = nRules - nJobs;
    for (let n = 0; n < span; n++) {
      const i = nJobs + ((sweep - nJobs + n) % span);
      const cands = openCandidates(sat, sat.clauses[i]!);
      if (cands && cands.length) {
        sweep = i;
        const d = choose(cands);
        const info = rb.infos[i]!;
        if (info.type === 'requires') why.set(d, `${pool.solvable(info.pkg).nevra} requires ${info.dep}`);
        return d;
      }
    }
    // 3. weak dependencies
    if (ropts.weakDeps) return weakDecision();
    return 0;
  };

  const weakDecision = (): number => {
    for (const l of sat.trail) {
      if (l & 1) continue;
      const s = pool.solvable(l >> 1);
      for (const d of s.pkg.recommends) {
        const cands = rec.openProviders(d).filter((id) => !weakTried.has(id));
        if (!cands.length) continue;
        const pick = choose(cands, 'recommend');
        weakTried.add(pick);
        why.set(pick, `${s.nevra} recommends ${d.name}`);
        return pick;
      }
    }
    // supplementing packages: pruned per name like libsolv's POLICY_MODE_SUGGEST over all
    // supplementers (also those already ruled out), then the undecided survivors installed
    const supp: number[] = [];
    for (const id of rb.reachable) {
      if (pool.solvable(id).pkg.supplements.some((d) => rec.depTrue(d))) supp.push(id);
    }
    if (!supp.length) return 0;
    const best = bestPerName(pool, supp).filter((id) => sat.val[id] === 0 && !weakTried.has(id));
    if (!best.length) return 0;
    const pick = filterUnwanted(best, ctx, 'supplement')[0]!;
    weakTried.add(pick);
    why.set(pick, `${pool.solvable(pick).nevra} supplements an installed package`);
    return pick;
  };

  for (;;) {
    const confl = sat.propagate();
    if (confl >= 0) {
      if (sat.decisionLevel === 0) return { ok: false, core: sat.core(confl), rb };
      const { learnt, btLevel, used, zero } = sat.analyze(confl);
      sat.backtrack(btLevel);
      sat.learn(learnt, used, zero);
      sweep = nJobs;
      continue;
    }
    const d = nextDecision();
    if (!d) break;
    sat.decide(lit(d, true));
  }

  const installed: number[] = [];
  const reason = new Map<number, string>();
  for (let v = 1; v <= pool.size; v++) {
    if (sat.val[v] !== 1) continue;
    installed.push(v);
    const r = sat.reason[v]!;
    const info = r >= 0 && r < nRules ? rb.infos[r] : undefined;
    if (info?.type === 'requires') reason.set(v, `${pool.solvable(info.pkg).nevra} requires ${info.dep}`);
    else if (info?.type === 'job') reason.set(v, `requested (${jobs[info.job]!.spec})`);
    else reason.set(v, why.get(v) ?? 'required');
  }
  return { ok: true, installed, reason };
}

/**
 * Undecided positive literals of a rule whose negative literals are all true and whose
 * positive literals are none true (an open requirement); null when the rule is not open.
 */
function openCandidates(sat: Sat, c: number[]): number[] | null {
  const out: number[] = [];
  for (const l of c) {
    const v = sat.value(l);
    if (l & 1) {
      if (v >= 0) return null; // negative literal not yet false: the requiring side is not installed
    } else {
      if (v > 0) return null;
      if (v === 0) out.push(l >> 1);
    }
  }
  return out;
}

/** What the packages decided so far recommend/suggest (libsolv's recommendsmap). */
class RecommendsTracker {
  private index = 0;
  private rec = new Set<number>();
  private sug = new Set<number>();
  constructor(private readonly pool: Pool, private readonly rb: RuleBuilder, private readonly sat: Sat) {}

  private update(): void {
    const trail = this.sat.trail;
    if (trail.length < this.index) { this.index = 0; this.rec.clear(); this.sug.clear(); }
    for (; this.index < trail.length; this.index++) {
      const l = trail[this.index]!;
      if (l & 1) continue;
      const p = this.pool.solvable(l >> 1).pkg;
      for (const d of p.recommends) for (const id of this.atoms(d)) this.rec.add(id);
      for (const d of p.suggests) for (const id of this.atoms(d)) this.sug.add(id);
    }
  }

  private atoms(d: Dep): number[] {
    return isRich(d.name) ? this.rb.atoms(this.rb.rich(d.name)) : this.rb.providers(d) ?? [];
  }

  recommended(id: number): boolean {
    this.update();
    if (this.rec.has(id)) return true;
    return this.pool.solvable(id).pkg.supplements.some((d) => this.depTrue(d));
  }

  suggested(id: number): boolean {
    this.update();
    if (this.sug.has(id)) return true;
    return this.pool.solvable(id).pkg.enhances.some((d) => this.depTrue(d));
  }

  /** a dependency evaluated on the packages decided installed so far */
  depTrue(d: Dep): boolean {
    if (!isRich(d.name)) return (this.rb.providers(d) ?? []).some((id) => this.sat.val[id] === 1);
    const cnf = this.rb.cnf(this.rb.rich(d.name), true);
    return cnf.every((c) => c.some((l) => this.sat.value(l) > 0 || ((l & 1) === 1 && this.sat.value(l) >= 0)));
  }

  /** undecided providers of a recommends that is not yet satisfied */
  openProviders(d: Dep): number[] {
    if (!isRich(d.name)) {
      const prov = this.rb.providers(d) ?? [];
      if (prov.some((id) => this.sat.val[id] === 1)) return [];
      return prov.filter((id) => this.sat.val[id] === 0);
    }
    for (const c of this.rb.cnf(this.rb.rich(d.name), true)) {
      if (c.some((l) => this.sat.value(l) > 0)) continue;
      if (c.some((l) => (l & 1) === 1 && this.sat.value(l) === 0)) continue; // condition not met
      return c.filter((l) => (l & 1) === 0 && this.sat.value(l) === 0).map((l) => l >> 1);
    }
    return [];
  }
}
