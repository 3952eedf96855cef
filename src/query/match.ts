// Package specs as dnf's query commands read them (hawkey's Subject without provides): a glob
// over name, name.arch and the NEVRA forms, case-insensitive; a path or path glob matches files.
import type { RepoPackage } from '../types/index.js';
import { globToRegExp } from '../util/glob.js';
import { compareEvr } from '../version/index.js';

// dnf's FILE_PROVIDE_RE: a path, or a glob starting with "*/" or "**/"
export const isPathSpec = (s: string): boolean => /^\*{0,2}\//.test(s);

/** name, name.arch, name-[e:]v, name-[e:]v-r, name-[e:]v-r.arch: the forms a spec may take */
export function nevraForms(p: RepoPackage): string[] {
  const out = [p.name, `${p.name}.${p.arch}`];
  for (const e of p.epoch ? [`${p.epoch}:`] : ['', '0:']) {
    out.push(`${p.name}-${e}${p.version}`, `${p.name}-${e}${p.version}-${p.release}`, `${p.name}-${e}${p.version}-${p.release}.${p.arch}`);
  }
  return out;
}

export interface SpecMatcher {
  /** true when the package matches by name or NEVRA form */
  byName(p: RepoPackage): boolean;
  /** the spec names files */
  path: boolean;
  re: RegExp;
}

export function specMatcher(spec: string): SpecMatcher {
  const path = isPathSpec(spec);
  // names compare case-insensitively (dnf's ignore_case), file paths exactly
  const re = globToRegExp(spec, !path);
  return { path, re, byName: (p) => nevraForms(p).some((f) => re.test(f)) };
}

/** Packages matching any spec: by name/NEVRA form, or (path specs) by a file of theirs. */
export async function matchSpecs(pkgs: readonly RepoPackage[], specs: readonly string[], files: (p: RepoPackage) => Promise<string[]>): Promise<RepoPackage[]> {
  const ms = specs.map(specMatcher);
  const out: RepoPackage[] = [];
  for (const p of pkgs) {
    if (ms.some((m) => !m.path && m.byName(p))) { out.push(p); continue; }
    const paths = ms.filter((m) => m.path);
    if (!paths.length) continue;
    const fl = await files(p);
    if (paths.some((m) => fl.some((f) => m.re.test(f)))) out.push(p);
  }
  return out;
}

/**
 * dnf's query.latest(): per name.arch, the packages of the highest EVR; with `priority`, of the
 * highest EVR among those of the best (lowest) priority (latest_per_arch_by_priority).
 */
export function latestPerNameArch(pkgs: readonly RepoPackage[], priority?: (p: RepoPackage) => number): RepoPackage[] {
  const best = new Map<string, RepoPackage[]>();
  for (const p of pkgs) {
    const key = `${p.name}.${p.arch}`;
    const cur = best.get(key);
    const c = cur?.[0] ? (priority ? priority(cur[0]) - priority(p) : 0) || compareEvr(p, cur[0]) : 1;
    if (!cur || c > 0) best.set(key, [p]);
    else if (c === 0) cur.push(p);
  }
  return pkgs.filter((p) => best.get(`${p.name}.${p.arch}`)?.includes(p));
}
