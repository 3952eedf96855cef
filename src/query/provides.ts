// dnf provides: per spec, packages with a matching file (glob), else a matching provide, else
// (a bare word) the command in /bin, /sbin, /usr/bin, /usr/sbin; /bin/x and /sbin/x also try
// /usr/bin/x. Each match says what it matched, as dnf's "Matched from:" lines.
import type { RepoPackage } from '../types/index.js';
import { formatDep } from '../version/index.js';
import { globToRegExp } from '../util/glob.js';
import { matchingProvides, parseDepSpec, providesOf } from './deps.js';
import { isPathSpec } from './match.js';
import { queryPackage, type QueryOptions, type QueryPackage } from './options.js';
import { byNevra } from './repoquery.js';
import { withRepos, type QuerySession } from './session.js';

export interface WhatProvidesOptions extends QueryOptions {
  /** provides, provide globs, `name OP evr`, file paths or globs, command names */
  provides: string[];
}

export interface ProvideMatch {
  package: QueryPackage;
  /** dnf's "Matched from:" lines: `Filename`, `Provide`, or `Other` (the spec itself) */
  matchedFrom: { kind: 'filename' | 'provide' | 'other'; value: string }[];
}

export async function whatProvides(opts: WhatProvidesOptions): Promise<ProvideMatch[]> {
  return withRepos(opts, async (s) => {
    const found = new Set<RepoPackage>();
    const used: string[] = [];
    for (const spec of opts.provides) {
      const r = await providers(s, spec);
      for (const p of r.pkgs) found.add(p);
      used.push(...r.used);
    }
    const out: ProvideMatch[] = [];
    for (const p of [...found].sort(byNevra)) out.push({ package: queryPackage(p), matchedFrom: await matchedFrom(s, p, [...new Set(used)]) });
    return out;
  });
}

/** a glob that can match an absolute path */
const mayNameFile = (spec: string): boolean => /^[/*?[]/.test(spec);

async function byFile(s: QuerySession, globs: string[]): Promise<RepoPackage[]> {
  const res = globs.filter(mayNameFile).map((g) => globToRegExp(g));
  if (!res.length) return [];
  const out: RepoPackage[] = [];
  for (const p of s.packages) if ((await s.files(p)).some((f) => res.some((re) => re.test(f)))) out.push(p);
  return out;
}

/** dnf's Base.provides for one spec: the packages and the strings it searched for */
async function providers(s: QuerySession, spec: string): Promise<{ pkgs: RepoPackage[]; used: string[] }> {
  const files = await byFile(s, [spec]);
  if (files.length) return { pkgs: files, used: [spec] };
  const d = parseDepSpec(spec);
  const prov = s.packages.filter((p) => matchingProvides(p, d).length > 0);
  if (prov.length) return { pkgs: prov, used: [spec] };
  let alt: string[];
  if (spec.startsWith('/bin/') || spec.startsWith('/sbin/')) alt = [`/usr${spec}`];
  else if (spec.startsWith('/')) return { pkgs: [], used: [spec] };
  else alt = ['/bin/', '/sbin/', '/usr/bin/', '/usr/sbin/'].map((d) => d + spec);
  return { pkgs: await byFile(s, alt), used: alt };
}

/** dnf's matchcallback: what each searched string matched in this package */
async function matchedFrom(s: QuerySession, p: RepoPackage, used: string[]): Promise<ProvideMatch['matchedFrom']> {
  const out: ProvideMatch['matchedFrom'] = [];
  let summaryMatch = false;
  for (const item of used) {
    if (p.summary === item) { summaryMatch = true; continue; }
    if (isPathSpec(item)) {
      const re = globToRegExp(item);
      const hits = (await s.files(p)).filter((f) => re.test(f));
      if (hits.length) { out.push(...hits.map((value) => ({ kind: 'filename' as const, value }))); continue; }
    }
    const re = globToRegExp(item);
    const first = globToRegExp(/[=<>]/.test(item) ? item.split(/\s+/)[0] ?? item : item);
    for (const dep of providesOf(p).map(formatDep)) {
      if (re.test(dep) || first.test(dep.split(/\s+/)[0] ?? dep)) out.push({ kind: 'provide', value: dep });
    }
  }
  if (!out.length && !summaryMatch) out.push(...used.map((value) => ({ kind: 'other' as const, value })));
  return out;
}
