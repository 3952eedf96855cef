// dnf search: every key must match a package's name or summary (substring, or glob when the key
// is one; case-insensitive); ranked as dnf's MatchCounter ranks (exact name 14, name 7, summary 4),
// newest per name.arch.
import type { RepoPackage } from '../types/index.js';
import { compareStrings } from '../util/compare.js';
import { globToRegExp, isGlob } from '../util/glob.js';
import { latestPerNameArch } from './match.js';
import { queryPackage, type QueryOptions, type QueryPackage } from './options.js';
import { withRepos } from './session.js';

export interface SearchOptions extends QueryOptions {
  /** the words to look for */
  keys: string[];
}

export interface SearchMatch {
  package: QueryPackage;
  /** which fields matched, in dnf's order */
  fields: ('name' | 'summary')[];
  /** the keys it matched (all of them: a package must match every key) */
  keys: string[];
  /** the matched field values are exactly the keys (dnf's "Exactly Matched" section) */
  exact: boolean;
}

const WEIGHT = { name: 7, summary: 4 } as const;

export async function searchPackages(opts: SearchOptions): Promise<SearchMatch[]> {
  return withRepos(opts, async (s) => searchIn(s.packages, opts.keys));
}

/** The search over `packages`. A key given twice counts once (dnf 4 counts its matched keys as a set but compares with the number given, so it matches nothing). */
export function searchIn(packages: readonly RepoPackage[], given: readonly string[]): SearchMatch[] {
  const keys = [...new Set(given)];
  const tests = keys.map((k) => {
    if (isGlob(k)) { const re = globToRegExp(k, true); return (s: string): boolean => re.test(s); }
    const low = k.toLowerCase();
    return (s: string): boolean => s.toLowerCase().includes(low);
  });
  const hits = new Map<RepoPackage, { field: 'name' | 'summary'; key: string }[]>();
  for (const p of packages) {
    const found: { field: 'name' | 'summary'; key: string }[] = [];
    keys.forEach((key, i) => {
      if (tests[i]!(p.name)) found.push({ field: 'name', key });
      if (tests[i]!(p.summary)) found.push({ field: 'summary', key });
    });
    if (new Set(found.map((f) => f.key)).size === keys.length && found.length) hits.set(p, found);
  }
  const weight = (p: RepoPackage): number => hits.get(p)!.reduce((n, f) => n + (f.field === 'name' && p.name === f.key ? 2 : 1) * WEIGHT[f.field], 0);
  const ranked = latestPerNameArch([...hits.keys()]).map((p, i) => ({ p, i, w: weight(p) }))
    .sort((a, b) => b.w - a.w || compareStrings(a.p.name, b.p.name) || a.i - b.i);
  const seen = new Set<string>();
  const out: SearchMatch[] = [];
  for (const { p } of ranked) {
    if (seen.has(`${p.name}.${p.arch}`)) continue;
    seen.add(`${p.name}.${p.arch}`);
    const found = hits.get(p)!;
    const fields = [...new Set(found.map((f) => f.field))];
    const matched = keys.filter((k) => found.some((f) => f.key === k));
    const haystacks = new Set(fields.map((f) => p[f]));
    out.push({ package: queryPackage(p), fields, keys: matched, exact: haystacks.size === matched.length && matched.every((k) => haystacks.has(k)) });
  }
  return out;
}
