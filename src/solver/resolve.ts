import type { RepoPackage } from '../types/package.js';
import type { Pool } from './pool.js';
import { conditionalJobs, excludedSet, expandRequest, installonlySet, type ConditionalMember, type Job } from './jobs.js';
import { explainCore } from './problems.js';
import { globToRegExp } from '../util/glob.js';
import { bestPerName } from './policy.js';
import { search, type SearchResult } from './search.js';
import { installedChanges } from './installed.js';
import { DEFAULT_INSTALLONLY, type Problem, type Request, type ResolveOptions, type ResolveResult, type SkippedRequest, type Transaction } from './types.js';

export interface ResolveInternals {
  /** libsolv testcases run without multilib same-name coexistence (implicitobsoleteusescolors off) */
  implicitObsoleteUsesColors?: boolean;
  /** receives one line per decision and conflict (debugging the policy against libsolv) */
  trace?: (msg: string) => void;
}

/**
 * Pick the packages dnf would install into an empty root for `request`, or explain why
 * no such set exists. Pure and deterministic: the same pool and request give the same answer.
 */
export function resolve(pool: Pool, request: Request, opts: ResolveOptions & ResolveInternals = {}): ResolveResult {
  const excluded = excludedSet(pool, request.exclude ?? []);
  const expanded = expandRequest(pool, request.install, excluded);
  const { problems, conditional } = expanded;
  let jobs = expanded.jobs;
  if (request.upgrade) jobs.push(upgradeJob(pool, request.upgrade, request.upgradeTargets, excluded, opts.best === true));
  const skipped: SkippedRequest[] = [];
  if (problems.length) {
    if (!opts.skipBroken) return { ok: false, problems };
    // dnf: "No match for argument" is a message, not an error, when not strict
    for (const p of problems) skipped.push({ request: 'request' in p ? p.request : '', problems: [p] });
  }
  // libsolv SOLVER_FORCEBEST: the job's candidates are its best ones (per name: repo priority, arch, version)
  if (opts.best) jobs = jobs.map((j) => ({ ...j, candidates: bestPerName(pool, j.candidates) }));
  let res = resolveJobs(pool, jobs, excluded, opts);
  // only an unsolvable set has anything to drop: the common case solves once
  if (!res.ok && opts.skipBroken) {
    jobs = dropBroken(pool, jobs, excluded, opts, skipped);
    res = resolveJobs(pool, jobs, excluded, opts);
  }
  // comps conditional members: dnf asks for `(name if requires)`; solving again with the members
  // whose `requires` the answer installs gives the same set (a fixpoint, as adding one can pull in another's)
  let pending = conditional;
  for (let round = 0; round < 8 && res.ok && pending.length; round++) {
    const met = pending.filter((c) => installs(pool, res, c));
    if (!met.length) break;
    pending = pending.filter((c) => !met.includes(c));
    const added = conditionalJobs(pool, met, excluded);
    const all = resolveJobs(pool, [...jobs, ...added], excluded, opts);
    if (all.ok) {
      jobs.push(...added);
      res = all;
      continue;
    }
    // a member that cannot go in is left out (dnf's job is optional): keep the ones that can
    for (const job of added) {
      const one = resolveJobs(pool, [...jobs, job], excluded, opts);
      if (!one.ok) continue;
      jobs.push(job);
      res = one;
    }
  }
  if (res.ok && skipped.length) res.transaction.skipped = skipped;
  return res;
}

/**
 * libsolv's weak jobs: while the jobs are unsolvable, drop the last job (in request order) the
 * conflict involves, as libsolv disables the last weak rule of a problem. The skipped requests
 * and their explanations are appended to `skipped`.
 */
function dropBroken(pool: Pool, jobs: Job[], excluded: Uint8Array, opts: ResolveOptions & ResolveInternals, skipped: SkippedRequest[]): Job[] {
  const active = jobs.slice();
  const ropts = ruleOptions(pool, excluded, opts);
  while (active.length) {
    const res = search(pool, active, ropts, opts.trace);
    if (res.ok) break;
    let last = -1;
    for (const ci of res.core) {
      const info = res.rb.infos[ci]!;
      if (info.type === 'job') last = Math.max(last, info.job);
    }
    if (last < 0) break;
    const job = active[last]!;
    const problems = explainCore(pool, active, res.rb, res.core, excluded);
    const prev = skipped.find((s) => s.request === job.spec);
    if (prev) prev.problems.push(...problems);
    else skipped.push({ request: job.spec, problems });
    active.splice(last, 1);
  }
  return active;
}

function ruleOptions(pool: Pool, excluded: Uint8Array, opts: ResolveOptions & ResolveInternals): Parameters<typeof search>[2] {
  return {
    weakDeps: opts.weakDeps ?? false, installonly: installonlySet(pool, opts.installonly ?? DEFAULT_INSTALLONLY), excluded,
    implicitObsoleteUsesColors: opts.implicitObsoleteUsesColors ?? pool.scores !== null,
    ...(opts.allowErasing ? { allowErasing: true } : {}),
  };
}

/** Whether the answer installs something that provides the conditional member's `requires`. */
function installs(pool: Pool, res: ResolveResult, c: ConditionalMember): boolean {
  if (!res.ok) return false;
  const chosen = new Set(res.transaction.packages);
  return pool.whatProvides({ name: c.requires, flags: 0, version: '' }).some((id) => chosen.has(pool.solvable(id).pkg));
}

/** libsolv SOLVER_UPDATE of the installed packages named (all when none), targeted when targets are given. */
function upgradeJob(pool: Pool, names: string[], targets: ReadonlySet<string> | undefined, excluded: Uint8Array, best: boolean): Job {
  const res = names.map((n) => globToRegExp(n));
  const candidates = pool.installedIds.filter((id) => res.length === 0 || res.some((r) => r.test(pool.solvable(id).pkg.name)));
  const job: Job = { spec: names.length ? `upgrade ${names.join(' ')}` : 'upgrade', candidates, update: true, ...(best ? { best: true } : {}) };
  if (targets) {
    const to: number[] = [];
    for (let id = 1; id <= pool.size; id++) if (!excluded[id] && !pool.isInstalled(id) && targets.has(pool.solvable(id).nevra)) to.push(id);
    job.targets = to;
  }
  return job;
}

/** Solve explicit candidate sets (one "install one of these" per job); used by resolve() and the libsolv testcase runner. */
export function resolveJobs(pool: Pool, given: Job[], excluded: Uint8Array, opts: ResolveOptions & ResolveInternals = {}): ResolveResult {
  // an update of no installed package asks for nothing (libsolv's job is a no-op)
  const jobs = given.filter((j) => !j.update || j.candidates.length);
  const ropts = ruleOptions(pool, excluded, opts);
  const first = search(pool, jobs, ropts, opts.trace);
  if (first.ok) {
    const fresh = pool.installedIds.length ? first.installed.filter((id) => !pool.isInstalled(id)) : first.installed;
    const pkgs = fresh.map((id) => pool.solvable(id));
    pkgs.sort((a, b) => (a.pkg.name < b.pkg.name ? -1 : a.pkg.name > b.pkg.name ? 1 : a.pkg.arch < b.pkg.arch ? -1 : a.pkg.arch > b.pkg.arch ? 1 : a.id - b.id));
    const reasons = new Map<RepoPackage, string>();
    for (const s of pkgs) reasons.set(s.pkg, first.reason.get(s.id) ?? 'required');
    const transaction: Transaction = { packages: pkgs.map((s) => s.pkg), reasons, unresolvedFileDeps: first.unresolvedFileDeps };
    if (pool.installedIds.length) transaction.changes = installedChanges(pool, new Set(first.installed), ropts.installonly);
    return { ok: true, transaction };
  }
  // explain, then drop the jobs involved and look for independent problems, as libsolv lists
  // several; problems come out in request order
  const batches: { first: number; problems: Problem[] }[] = [];
  let active: number[] = jobs.map((_, i) => i);
  let res: SearchResult = first;
  for (let round = 0; round < 5 && !res.ok; round++) {
    const sub = active.map((i) => jobs[i]!);
    const involved = new Set<number>();
    for (const ci of res.core) {
      const info = res.rb.infos[ci]!;
      if (info.type === 'job') involved.add(info.job);
    }
    const firstJob = Math.min(...[...involved].map((k) => active[k]!), jobs.length);
    batches.push({ first: firstJob, problems: explainCore(pool, sub, res.rb, res.core, excluded) });
    active = active.filter((_, k) => !involved.has(k));
    if (!involved.size || !active.length) break;
    res = search(pool, active.map((i) => jobs[i]!), ropts, opts.trace);
  }
  batches.sort((a, b) => a.first - b.first);
  return { ok: false, problems: dedupe(batches.flatMap((b) => b.problems)) };
}

function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = JSON.stringify(p);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
