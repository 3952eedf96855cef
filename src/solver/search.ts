// The solve loop: CDCL propagation and learning from sat.ts, decisions in libsolv's order
// (job rules first, then a cyclic sweep over package rules, then weak dependencies), each
// decision picking the policy's best candidate.
import type { Dep } from '../types/deps.js';
import type { Pool } from './pool.js';
import { bestPerName, filterUnwanted, type PolicyContext } from './policy.js';
import { isRich } from './richdep.js';
import { RuleBuilder, type RuleOptions } from './rules.js';
import { choiceKeyOf, unneededChoices, type ChoiceRule } from './choice.js';
import { Sat, lit } from './sat.js';
import type { Job } from './jobs.js';

export type SearchResult =
  | { ok: true; installed: number[]; reason: Map<number, string>; unresolvedFileDeps: string[]; choices: { lits: number[]; info: ChoiceRule['info'] }[] }
  | { ok: false; core: number[]; rb: RuleBuilder };

/** Solve; choice rules that take part in a failure are dropped and the search redone. */
export function search(pool: Pool, jobs: Job[], ropts: RuleOptions, trace?: (msg: string) => void): SearchResult {
  const noChoice = new Set<string>();
  for (;;) {
    const res = searchOnce(pool, jobs, ropts, noChoice, trace);
    const before = noChoice.size;
    if (res.ok) {
      for (const k of unneededChoices(res.choices, new Set(res.installed))) noChoice.add(k);
    } else {
      for (const ci of res.core) {
        const info = res.rb.infos[ci]!;
        if (info.type === 'choice') noChoice.add(choiceKeyOf(info));
      }
    }
    if (noChoice.size === before) return res;
  }
}

function searchOnce(pool: Pool, jobs: Job[], ropts: RuleOptions, noChoice: ReadonlySet<string>, trace?: (msg: string) => void): SearchResult {
  const rb = new RuleBuilder(pool, ropts, noChoice);
  jobs.forEach((j, i) => rb.addJob(i, j.candidates, j.update));
  // installed packages to update (libsolv's updatemap) and, for targeted updates, where to
  const toUpdate = new Set<number>();
  const targets = new Map<number, Set<number>>();
  for (const j of jobs) {
    if (!j.update) continue;
    const to = j.targets ? new Set(j.targets) : null;
    for (const p of j.candidates) {
      if (!to) { toUpdate.add(p); continue; }
      const hit = rb.updates(p).filter((q) => to.has(q));
      if (!hit.length) continue;
      toUpdate.add(p);
      targets.set(p, new Set([...(targets.get(p) ?? []), ...hit]));
    }
  }
  rb.build(new Set(jobs.filter((j) => j.setArch).flatMap((j) => j.candidates.map((c) => pool.solvable(c).pkg.name))), toUpdate);
  // libsolv's best rules: the best of what may replace each installed package (prio, arch, version)
  for (const j of jobs) {
    if (!j.update || !j.best) continue;
    for (const p of j.candidates) {
      if (!toUpdate.has(p)) continue;
      const to = targets.get(p);
      const best = filterUnwanted([p, ...rb.updates(p).filter((q) => !to || to.has(q))], { pool, excluded: ropts.excluded }, 'recommend');
      rb.add(best.map((q) => lit(q, true)), { type: 'best', pkg: p });
    }
  }
  const sat = new Sat(pool.size);
  for (let i = 0; i < rb.clauses.length; i++) sat.addClause(rb.clauses[i]!.slice());
  if (sat.rootConflict >= 0) return { ok: false, core: sat.core(sat.rootConflict), rb };
  const nJobs = jobs.length;
  const inst = pool.installedIds;
  const nRules = sat.originals;
  const why = new Map<number, string>();
  const weakTried = new Set<number>();
  const rec = new RecommendsTracker(pool, rb, sat);
  const ctx: PolicyContext = { pool, recommended: (id) => rec.recommended(id), suggested: (id) => rec.suggested(id), excluded: ropts.excluded };
  let sweep = nJobs;
  /** first postponed rule + 1; 0 none yet; -1 postponing over (libsolv's `postponed`) */
  let postponed = 0;

  /** decisions taken among several candidates: libsolv's branches, used for minimization */
  const branches: { level: number; pick: number; alts: number[] }[] = [];
  let pendingBranch: number[] | null = null;
  const choose = (cands: number[], mode: 'choose' | 'recommend' = 'choose'): number => {
    const list = filterUnwanted(cands, ctx, mode);
    if (mode === 'choose' && list.length > 1) pendingBranch = list.slice(1);
    return list[0]!;
  };

  /**
   * libsolv's minimization step: when an alternative of an earlier choice got installed
   * anyway later on, go back to that choice and take the alternative, which saves packages.
   * The earliest such choice is redone first.
   */
  const minimize = (): number => {
    for (const b of branches) {
      const p = b.alts.find((a) => sat.val[a] === 1 && sat.level[a]! > b.level);
      if (p === undefined) continue;
      b.alts = b.alts.filter((a) => a !== p);
      sat.backtrack(b.level);
      const keep = branches.indexOf(b);
      branches.length = keep + 1;
      b.pick = p;
      trace?.(`minimizing: ${pool.solvable(p).nevra} at level ${b.level + 1}`);
      return p;
    }
    return 0;
  };

  const nextDecision = (): number => {
    // 1. job rules in order (update jobs act in step 2)
    for (let i = 0; i < nJobs; i++) {
      if (jobs[i]!.update) continue;
      let cands = openCandidates(sat, sat.clauses[i]!);
      if (cands && cands.length) {
        // libsolv resolve_jobrules: an installed candidate meets an install job as it is
        if (cands.length > 1 && inst.length) {
          const kept = cands.filter((id) => pool.isInstalled(id));
          if (kept.length) cands = kept;
        }
        const d = choose(cands);
        why.set(d, `requested (${jobs[i]!.spec})`);
        return d;
      }
    }
    // 1b. installed packages (libsolv resolve_installed): the ones to update first, each
    // brought to its best update, then the rest kept
    if (inst.length) {
      for (const p of toUpdate) { const d = installedDecision(p); if (d) return d; }
      for (const p of inst) { const d = installedDecision(p); if (d) return d; }
    }
    // 2. package rules, swept cyclically from where the last decision was made. As libsolv's
    // resolve_dependencies, a rule still ambiguous after pruning (several names) is postponed
    // until a whole pass decides nothing; then the sweep restarts at the first postponed rule.
    const span = nRules - nJobs;
    for (let pass = 0; pass < 2; pass++) {
      for (let n = 0; n < span; n++) {
        const i = nJobs + ((sweep - nJobs + n) % span);
        const cands = openCandidates(sat, sat.clauses[i]!);
        if (!cands || !cands.length) continue;
        let pick: number;
        if (cands.length > 1 && postponed >= 0) {
          const left = filterUnwanted(cands, ctx, 'noreorder');
          if (left.length > 1) {
            if (postponed === 0) postponed = i + 1;
            continue;
          }
          pick = left[0]!;
        } else pick = choose(cands);
        sweep = i;
        const info = rb.infos[i]!;
        if (info.type === 'requires') why.set(pick, `${pool.solvable(info.pkg).nevra} requires ${info.dep}`);
        return pick;
      }
      if (postponed <= 0) break;
      sweep = postponed - 1;
      postponed = -1;
    }
    // 3. weak dependencies; afterwards the sweep starts afresh, as libsolv's main loop does
    if (ropts.weakDeps) {
      postponed = 0;
      return weakDecision();
    }
    return 0;
  };

  /**
   * An installonly package is updated by installing its best update beside it (libsolv's
   * specialupdaters: versions already installed count, so an older one adds nothing).
   */
  const installedDecision = (p: number): number => {
    const multi = ropts.installonly[p] === 1;
    const v = sat.val[p]!;
    if (v < 0 || (v > 0 && !(multi && toUpdate.has(p)))) return 0;
    if (toUpdate.has(p)) {
      const to = targets.get(p);
      const rule = [p, ...rb.updates(p).filter((q) => !to || to.has(q))];
      if (multi || !rule.some((q) => sat.val[q]! > 0)) {
        const d = choose(rule.filter((q) => (multi ? sat.val[q]! >= 0 : sat.val[q] === 0)));
        if (d !== p && sat.val[d] === 0) { why.set(d, `update of ${pool.solvable(p).nevra}`); return d; }
      }
    }
    if (sat.val[p] !== 0) return 0;
    why.set(p, 'installed');
    return p;
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

  let minimizations = 0;
  for (;;) {
    const confl = sat.propagate();
    if (confl >= 0) {
      if (sat.decisionLevel === 0) return { ok: false, core: sat.core(confl), rb };
      trace?.(`conflict at level ${sat.decisionLevel}`);
      const { learnt, btLevel, used, zero } = sat.analyze(confl);
      sat.backtrack(btLevel);
      sat.learn(learnt, used, zero);
      sweep = nJobs;
      postponed = 0;
      continue;
    }
    pendingBranch = null;
    let d = nextDecision();
    let branch = pendingBranch as number[] | null;
    if (!d && branches.length && minimizations++ < 1000) {
      d = minimize();
      branch = null;
      sweep = nJobs;
      postponed = 0;
    }
    if (!d) break;
    // drop branches undone by a backjump, then remember this choice's alternatives
    while (branches.length && branches[branches.length - 1]!.level >= sat.decisionLevel && branches[branches.length - 1]!.pick !== d) branches.pop();
    if (branch) branches.push({ level: sat.decisionLevel, pick: d, alts: branch });
    trace?.(`installing ${pool.solvable(d).nevra} (level ${sat.decisionLevel + 1})`);
    sat.decide(lit(d, true));
  }

  const installed: number[] = [];
  const reason = new Map<number, string>();
  for (let v = 1; v <= pool.size; v++) {
    if (sat.val[v] !== 1) continue;
    installed.push(v);
    const r = sat.reason[v]!;
    const info = r >= 0 && r < nRules ? rb.infos[r] : undefined;
    if (info?.type === 'requires' || info?.type === 'choice') reason.set(v, `${pool.solvable(info.pkg).nevra} requires ${info.dep}`);
    else if (info?.type === 'update' || info?.type === 'best') reason.set(v, `update of ${pool.solvable(info.pkg).nevra}`);
    else if (info?.type === 'job') reason.set(v, `requested (${jobs[info.job]!.spec})`);
    else if (info?.type === 'lockstep') reason.set(v, `${pool.solvable(info.pkg).nevra} needs the same version of its ${pool.solvable(v).pkg.arch} package (multilib lock-step)`);
    else reason.set(v, why.get(v) ?? 'required');
  }
  const files = new Set<string>();
  for (const info of rb.infos) if (info.type === 'nothing-provides' && info.dep.startsWith('/')) files.add(info.dep);
  const choices = rb.infos.flatMap((info, i) => (info.type === 'choice' ? [{ lits: rb.clauses[i]!, info }] : []));
  return { ok: true, installed, reason, unresolvedFileDeps: [...files].sort(), choices };
}

/**
 * Undecided positive literals of a rule whose negative literals are all true and whose
 * positive literals are none true (an open requirement); null when the rule is not open.
 */
const NONE: number[] = [];

function openCandidates(sat: Sat, c: number[]): number[] | null {
  // called for every rule on every sweep: decide first, allocate only for an open rule
  let open = 0;
  for (let i = 0; i < c.length; i++) {
    const l = c[i]!;
    const v = sat.value(l);
    if (l & 1) {
      if (v >= 0) return null; // negative literal not yet false: the requiring side is not installed
    } else {
      if (v > 0) return null;
      if (v === 0) open++;
    }
  }
  if (!open) return NONE;
  const out = new Array<number>(open);
  let k = 0;
  for (let i = 0; i < c.length; i++) {
    const l = c[i]!;
    if ((l & 1) === 0 && sat.value(l) === 0) out[k++] = l >> 1;
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
