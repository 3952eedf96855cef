// dnf repoquery: packages by spec, --whatprovides, --whatrequires, --latest-limit, --arch
// filtering; or, with --requires/--provides/..., the union of those dependency lists.
import type { RepoPackage } from '../types/index.js';
import { compareStrings as cmp } from '../util/compare.js';
import { globToRegExp } from '../util/glob.js';
import { compareEvr } from '../version/index.js';
import { matchingProvides, parseDepSpec, providesOf, requireMatches } from './deps.js';
import { matchSpecs, specMatcher } from './match.js';
import { queryPackage, type DepKind, type QueryOptions, type QueryPackage } from './options.js';
import { withRepos, type QuerySession } from './session.js';

export interface RepoqueryOptions extends QueryOptions {
  /** package specs: name globs, name.arch, NEVRA forms, file paths; none = every package */
  packages?: string[];
  /** packages providing one of these (provide globs or `name OP evr`; failing that, file globs) */
  whatprovides?: string[];
  /** packages requiring one of these names (globs), or something a package of that name provides */
  whatrequires?: string[];
  /** only these architectures (dnf repoquery's --arch/--archlist: a filter, not the target arch) */
  archlist?: string[];
  /** per name.arch, only the N newest (negative: all but the N newest), as dnf */
  latestLimit?: number;
  /** list these dependencies of the matches instead of the packages (dnf's --requires, --provides, ...) */
  depList?: DepKind;
}

export interface RepoqueryResult {
  /** the matching packages, sorted by name, EVR, arch, repo */
  packages: QueryPackage[];
  /** with depList: the union of that list over the matches, de-duplicated and sorted as dnf prints it */
  deps?: string[];
}

export async function repoquery(opts: RepoqueryOptions): Promise<RepoqueryResult> {
  return withRepos(opts, async (s) => {
    const hits = await select(s, opts);
    const packages = hits.map(queryPackage);
    if (!opts.depList) return { packages };
    const kind = opts.depList;
    return { packages, deps: [...new Set(packages.flatMap((p) => p[kind]))].sort(cmp) };
  });
}

async function select(s: QuerySession, opts: RepoqueryOptions): Promise<RepoPackage[]> {
  let q: RepoPackage[] = s.packages;
  if (opts.archlist?.length) {
    const arches = new Set(opts.archlist);
    q = q.filter((p) => arches.has(p.arch));
  }
  if (opts.packages?.length) q = await matchSpecs(q, opts.packages, s.files);
  if (opts.whatprovides?.length) q = await whatProvidesFilter(s, q, opts.whatprovides);
  if (opts.whatrequires?.length) q = await whatRequiresFilter(s, q, opts.whatrequires);
  if (opts.latestLimit) q = latestLimit(q, opts.latestLimit);
  return [...q].sort(byNevra);
}

/** dnf: provides__glob over the specs; only when nothing matches, file__glob. */
async function whatProvidesFilter(s: QuerySession, q: RepoPackage[], specs: string[]): Promise<RepoPackage[]> {
  const parsed = specs.map(parseDepSpec);
  const byProvide = q.filter((p) => parsed.some((d) => matchingProvides(p, d).length > 0));
  if (byProvide.length) return byProvide;
  const res = specs.map((g) => globToRegExp(g));
  const out: RepoPackage[] = [];
  for (const p of q) if ((await s.files(p)).some((f) => res.some((re) => re.test(f)))) out.push(p);
  return out;
}

/**
 * dnf's by_all_deps: a requirement named like a spec, or one met by what a package the spec names
 * provides, its files included (libsolv adds required paths to the provides).
 */
async function whatRequiresFilter(s: QuerySession, q: RepoPackage[], specs: string[]): Promise<RepoPackage[]> {
  const names = specs.map((g) => globToRegExp(g));
  const ms = specs.map(specMatcher);
  const named = s.packages.filter((p) => ms.some((m) => m.byName(p)));
  const byName = groupBy(named.flatMap(providesOf), (d) => d.name);
  const rich = named.flatMap(providesOf);
  const fileReqs = q.some((p) => p.requires.some((r) => r.name.startsWith('/')));
  const files = new Set(fileReqs ? (await Promise.all(named.map(s.files))).flat() : []);
  return q.filter((p) => p.requires.some((r) => names.some((re) => re.test(r.name)) || files.has(r.name) ||
    (r.name.startsWith('(') ? rich.some((d) => requireMatches(r, d)) : (byName.get(r.name) ?? []).some((d) => requireMatches(r, d)))));
}

function latestLimit(q: RepoPackage[], n: number): RepoPackage[] {
  const groups = groupBy(q, (p) => `${p.name}.${p.arch}`);
  const keep = new Set<RepoPackage>();
  for (const g of groups.values()) {
    const evrs = [...new Set(g.map((p) => `${p.epoch}:${p.version}-${p.release}`))];
    const order = evrs.map((e) => g.find((p) => `${p.epoch}:${p.version}-${p.release}` === e)!).sort((a, b) => compareEvr(b, a));
    const chosen = n > 0 ? order.slice(0, n) : order.slice(-n);
    const ok = new Set(chosen.map((p) => `${p.epoch}:${p.version}-${p.release}`));
    for (const p of g) if (ok.has(`${p.epoch}:${p.version}-${p.release}`)) keep.add(p);
  }
  return q.filter((p) => keep.has(p));
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const g = out.get(k);
    if (g) g.push(x);
    else out.set(k, [x]);
  }
  return out;
}

export function byNevra(a: RepoPackage, b: RepoPackage): number {
  return cmp(a.name, b.name) || compareEvr(a, b) || cmp(a.arch, b.arch) || cmp(a.repo, b.repo);
}
