// Choosing among candidates, as libsolv's policy_filter_unwanted: highest repo priority,
// best architecture, best version per name (names in strcmp order), drop candidates
// obsoleted by other candidates, prefer what installed packages recommend/supplement, then
// reorder: older versions of a name last, higher versions of a shared provide first,
// suggested/enhancing packages first.
import { Sense } from '../types/deps.js';
import { compareEvr, evrRangeMatches, parseEvr, rpmvercmp } from '../version/index.js';
import { NOARCH_SCORE } from './arch.js';
import type { Pool, Solvable } from './pool.js';
import { evrString } from './pool.js';

export interface PolicyContext {
  pool: Pool;
  /** is this candidate recommended by / supplementing the packages decided so far? */
  recommended?: (id: number) => boolean;
  /** suggested / enhancing (only reorders) */
  suggested?: (id: number) => boolean;
  /** excluded packages are invisible */
  excluded?: Uint8Array;
}

export type PolicyMode = 'choose' | 'noreorder' | 'recommend' | 'supplement';

export function filterUnwanted(cands: number[], ctx: PolicyContext, mode: PolicyMode = 'choose'): number[] {
  let list = cands.slice();
  if (mode === 'supplement') return reorder(list, ctx);
  if (list.length > 1) list = pruneToHighestPrio(ctx.pool, list);
  if (list.length > 1) list = pruneToBestArch(ctx.pool, list);
  if (list.length > 1) list = pruneToBestVersion(ctx.pool, list);
  if (list.length > 1 && (mode === 'choose' || mode === 'noreorder')) {
    list = pruneToRecommended(list, ctx);
    if (list.length > 1 && mode === 'choose') list = reorder(list, ctx);
  }
  return list;
}

function reorder(list: number[], ctx: PolicyContext): number[] {
  let out = dislikeOldVersions(list, ctx);
  out = sortByCommonDep(ctx.pool, out);
  if (ctx.suggested) out = stablePartition(out, (id) => ctx.suggested!(id));
  return out;
}

function stablePartition(list: number[], good: (id: number) => boolean): number[] {
  return [...list.filter(good), ...list.filter((id) => !good(id))];
}

/** candidates for which a newer version (same name and arch) or a higher-priority repo exists go last */
function dislikeOldVersions(list: number[], ctx: PolicyContext): number[] {
  const pool = ctx.pool;
  return stablePartition(list, (id) => {
    const s = pool.solvable(id);
    for (const q of pool.named(s.pkg.name)) {
      if (q === id || ctx.excluded?.[q]) continue;
      const qs = pool.solvable(q);
      if (qs.pkg.arch !== s.pkg.arch) continue;
      if (qs.priority !== s.priority) { if (qs.priority < s.priority) return false; continue; }
      if (compareEvr(qs.evr, s.evr) > 0) return false;
    }
    return true;
  });
}

/** compare provide versions, ignoring the release when one side has none (libsolv EVRCMP_MATCH_RELEASE) */
function evrCmpMatchRelease(a: string, b: string): number {
  const x = parseEvr(a), y = parseEvr(b);
  const ex = x.epoch ?? 0, ey = y.epoch ?? 0;
  if (ex !== ey) return ex < ey ? -1 : 1;
  const v = rpmvercmp(x.version, y.version);
  if (v || !x.release || !y.release) return v;
  return rpmvercmp(x.release, y.release);
}

/**
 * libsolv's sort_by_common_dep: for provides with =, <= or < shared by several candidates,
 * candidates providing a lower version get a "badness"; stable sort by badness.
 */
function sortByCommonDep(pool: Pool, list: number[]): number[] {
  const ents: { i: number; name: string; evr: string; lt: boolean }[] = [];
  list.forEach((id, i) => {
    for (const d of pool.solvable(id).pkg.provides) {
      const f = d.flags & 14;
      if (!d.version || !(f === Sense.EQUAL || f === (Sense.EQUAL | Sense.LESS) || f === Sense.LESS)) continue;
      if (f === Sense.EQUAL && d.version.length >= 4 && /^[0-9a-f]+$/.test(d.version)) continue; // hashes
      ents.push({ i, name: d.name, evr: d.version, lt: f === Sense.LESS });
    }
  });
  if (ents.length < 2) return list;
  const cmp = (a: (typeof ents)[number], b: (typeof ents)[number]): number => {
    if (a.name !== b.name) return a.name < b.name ? -1 : 1;
    if (a.evr === b.evr && a.lt === b.lt) return 0;
    const r = evrCmpMatchRelease(b.evr, a.evr);
    if (!r && (a.lt || b.lt)) { if (!b.lt) return 1; if (!a.lt) return -1; }
    return r;
  };
  ents.sort(cmp);
  const bad = new Array<number>(list.length).fill(0);
  let any = false;
  let run = 0;
  for (let k = 0; k < ents.length; k++) {
    const e = ents[k]!, prev = ents[k - 1];
    if (prev && prev.name === e.name) {
      if (prev.i !== e.i && cmp(prev, e) === -1) { run++; any = true; }
    } else run = 0;
    bad[e.i]! += run;
  }
  if (!any) return list;
  return list.map((id, i) => ({ id, i, b: bad[i]! })).sort((x, y) => x.b - y.b || x.i - y.i).map((x) => x.id);
}

/** installed packages take part whatever their repo's priority (libsolv prune_to_highest_prio) */
function pruneToHighestPrio(pool: Pool, list: number[]): number[] {
  let best = Infinity;
  for (const id of list) if (!pool.isInstalled(id)) best = Math.min(best, pool.solvable(id).priority);
  return list.filter((id) => pool.solvable(id).priority === best || pool.isInstalled(id));
}

export function pruneToBestArch(pool: Pool, list: number[]): number[] {
  if (!pool.scores) return list;
  let best = 0;
  for (const id of list) {
    const a = pool.solvable(id).archScore;
    if (a && a !== NOARCH_SCORE && (!best || a < best)) best = a;
  }
  if (!best) return list;
  const out = list.filter((id) => {
    const a = pool.solvable(id).archScore;
    return a === NOARCH_SCORE || ((a ^ best) & 0xffff0000) === 0;
  });
  return out.length ? out : list;
}

/** libsolv's prune_to_best_version_sortcmp: name (strcmp), arch score, cost, id */
export function sortCandidates(pool: Pool, list: number[]): number[] {
  return list.sort((x, y) => {
    const a = pool.solvable(x), b = pool.solvable(y);
    if (a.pkg.name !== b.pkg.name) return a.pkg.name < b.pkg.name ? -1 : 1;
    if (a.archScore !== b.archScore && a.archScore > 1 && b.archScore > 1) return a.archScore - b.archScore;
    if (a.cost !== b.cost) return a.cost - b.cost;
    return x - y;
  });
}

function pruneToBestVersion(pool: Pool, input: number[]): number[] {
  const list = sortCandidates(pool, input.slice());
  const out: number[] = [];
  let best: Solvable | null = null;
  for (const id of list) {
    const s = pool.solvable(id);
    if (!best) { best = s; continue; }
    if (best.pkg.name !== s.pkg.name) { out.push(best.id); best = s; continue; }
    const c = compareEvr(best.evr, s.evr);
    // the same version installed and available: keep the installed one (no reinstall)
    if (c < 0 || (c === 0 && pool.isInstalled(s.id))) best = s;
  }
  if (best) out.push(best.id);
  if (out.length > 1) return pruneObsoleted(pool, out);
  return out;
}

function obsoletes(pool: Pool, a: Solvable, b: Solvable): boolean {
  if (a.pkg.name === b.pkg.name) return false;
  return a.pkg.obsoletes.some((d) => d.name === b.pkg.name &&
    evrRangeMatches({ name: b.pkg.name, flags: Sense.EQUAL, version: evrString(b.pkg) }, d));
}

/** drop candidates obsoleted by another candidate (unless they obsolete each other) */
function pruneObsoleted(pool: Pool, list: number[]): number[] {
  const sv = list.map((id) => pool.solvable(id));
  if (!sv.some((s) => s.pkg.obsoletes.length)) return list;
  const out = sv.filter((b) => !sv.some((a) => a !== b && obsoletes(pool, a, b) && !obsoletes(pool, b, a)));
  return out.length ? out.map((s) => s.id) : list;
}

function pruneToRecommended(list: number[], ctx: PolicyContext): number[] {
  if (!ctx.recommended) return list;
  const r = list.filter((id) => ctx.recommended!(id));
  return r.length ? r : list;
}

/** best candidate per name (priority per name, best arch, best version), names in strcmp order */
export function bestPerName(pool: Pool, list: number[]): number[] {
  const groups = new Map<string, number[]>();
  for (const id of list) {
    const n = pool.solvable(id).pkg.name;
    const g = groups.get(n);
    if (g) g.push(id);
    else groups.set(n, [id]);
  }
  const out: number[] = [];
  for (const g of groups.values()) {
    let l = g.length > 1 ? pruneToHighestPrio(pool, g) : g;
    if (l.length > 1) l = pruneToBestArch(pool, l);
    out.push(...l);
  }
  return out.length > 1 ? pruneToBestVersion(pool, out) : out;
}
