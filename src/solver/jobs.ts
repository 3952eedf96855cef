// Turning request strings into candidate sets, the way dnf's Subject reads them: @group,
// /file, "name op evr", name, name.arch, name-version(-release)(.arch), provides, globs.
import { Sense } from '../types/deps.js';
import { globToRegExp, isGlob } from '../util/glob.js';
import { evrRangeMatches, parseOp } from '../version/index.js';
import type { Pool } from './pool.js';
import { evrString } from './pool.js';
import type { Problem } from './types.js';

export interface Job {
  /** the request string this job came from */
  spec: string;
  candidates: number[];
  /** the request named an arch (name.arch, NEVRA): its names are exempt from multilib lock-step (libsolv SOLVER_SETARCH) */
  setArch?: boolean;
  /**
   * libsolv SOLVER_UPDATE: `candidates` are installed packages to bring to their best update
   * (kept when there is none) instead of packages of which one must be installed
   */
  update?: boolean;
  /** a targeted update (libsolv SOLVER_TARGETED): the only packages the installed ones may move to */
  targets?: number[];
  /** with update: libsolv SOLVER_FORCEBEST, each installed package moves to its best update or the request fails */
  best?: boolean;
}

/** A comps `conditional` member: installed when something providing `requires` is (dnf's `(name if requires)` job). */
export interface ConditionalMember { name: string; requires: string; why: string }

export type Expanded = { jobs: Job[]; problems: Problem[]; conditional: ConditionalMember[] };

/** Solvable ids matched by --exclude globs (name, name.arch or full NEVRA). */
export function excludedSet(pool: Pool, globs: string[]): Uint8Array {
  const out = new Uint8Array(pool.size + 1);
  if (!globs.length) return out;
  const res = globs.map((g) => globToRegExp(g));
  for (let id = 1; id <= pool.size; id++) {
    const s = pool.solvable(id);
    const p = s.pkg;
    const na = `${p.name}.${p.arch}`;
    if (res.some((r) => r.test(p.name) || r.test(na) || r.test(s.nevra) || r.test(`${p.name}-${p.version}-${p.release}.${p.arch}`))) out[id] = 1;
  }
  return out;
}

/** Solvable ids that may be installed in parallel versions (name or provide in the list). */
export function installonlySet(pool: Pool, names: string[]): Uint8Array {
  const out = new Uint8Array(pool.size + 1);
  for (const n of names) for (const id of pool.whatProvides({ name: n, flags: 0, version: '' })) out[id] = 1;
  return out;
}

function nameCandidates(pool: Pool, name: string, withObsoleters: boolean): number[] {
  const ids = pool.named(name).slice();
  if (withObsoleters && ids.length) {
    // dnf adds packages that obsolete the requested name, so a renamed package replaces it
    for (const e of pool.whatObsoletes(name)) {
      const hit = ids.some((q) => {
        const qp = pool.solvable(q).pkg;
        return evrRangeMatches({ name: qp.name, flags: Sense.EQUAL, version: evrString(qp) }, e.dep);
      });
      if (hit && !ids.includes(e.sid)) ids.push(e.sid);
    }
  }
  return ids;
}

/** All candidates for one request string, before excludes; setArch when the spec named the arch. */
function match(pool: Pool, spec: string): { sets: number[][]; setArch?: boolean } {
  const sets = matchSets(pool, spec);
  if (Array.isArray(sets)) return { sets };
  return sets;
}

function matchSets(pool: Pool, spec: string): number[][] | { sets: number[][]; setArch: boolean } {
  const rel = /^(\S+)\s*(<=|>=|==|=<|=>|=|<|>)\s*(\S+)$/.exec(spec);
  if (rel) return [pool.whatProvides({ name: rel[1]!, flags: parseOp(rel[2]!), version: rel[3]! })];
  if (spec.startsWith('/')) {
    if (isGlob(spec)) return [];
    return [pool.whatProvides({ name: spec, flags: 0, version: '' })];
  }
  if (isGlob(spec)) {
    const re = globToRegExp(spec);
    const names = pool.names().filter((n) => re.test(n));
    return names.map((n) => pool.named(n));
  }
  const byName = nameCandidates(pool, spec, true);
  if (byName.length) return [byName];
  // name.arch
  const dot = spec.lastIndexOf('.');
  if (dot > 0) {
    const arch = spec.slice(dot + 1);
    const ids = pool.named(spec.slice(0, dot)).filter((id) => pool.solvable(id).pkg.arch === arch);
    if (ids.length) return { sets: [ids], setArch: true };
  }
  // name-[epoch:]version[-release][.arch]
  for (let i = spec.lastIndexOf('-'); i > 0; i = spec.lastIndexOf('-', i - 1)) {
    const name = spec.slice(0, i);
    const ids = pool.named(name);
    if (!ids.length) continue;
    const rest = spec.slice(i + 1);
    let withArch = false;
    const hits = ids.filter((id) => {
      const s = pool.solvable(id);
      const p = s.pkg;
      const vr = evrString(p);
      const forms = [p.version, vr, `${p.version}-${p.release}`, `${p.epoch}:${p.version}`, `${p.epoch}:${p.version}-${p.release}`];
      if (forms.includes(rest)) return true;
      if (rest === `${p.version}-${p.release}.${p.arch}` || rest === `${vr}.${p.arch}`) { withArch = true; return true; }
      return false;
    });
    if (hits.length) return { sets: [hits], setArch: withArch };
  }
  // a provide (e.g. "webserver", "libc.so.6()(64bit)")
  const prov = pool.whatProvides({ name: spec, flags: 0, version: '' });
  return prov.length ? [prov] : [];
}

export function expandRequest(pool: Pool, specs: string[], excluded: Uint8Array): Expanded {
  const jobs: Job[] = [];
  const problems: Problem[] = [];
  const add = (spec: string, chain: string[], optional: boolean): void => {
    const { sets: found, setArch } = match(pool, spec);
    if (!found.length || found.every((c) => !c.length)) {
      if (!optional) problems.push({ kind: 'not-found', request: spec, chain });
      return;
    }
    for (const all of found) {
      const ok = all.filter((id) => !excluded[id]);
      if (ok.length) jobs.push({ spec, candidates: ok, ...(setArch ? { setArch } : {}) });
      else if (!optional) problems.push({ kind: 'only-excluded', request: spec, excluded: all.map((id) => pool.solvable(id).nevra), chain });
    }
  };
  const conditional: ConditionalMember[] = [];
  for (const spec of specs) {
    if (spec.startsWith('@')) {
      const members = groupMembers(pool, spec);
      if (!members) { problems.push({ kind: 'not-found', request: spec, chain: [] }); continue; }
      // group members that do not exist are skipped, as dnf does for group installs
      for (const m of members.plain) add(m.name, [m.why], true);
      conditional.push(...members.conditional);
      continue;
    }
    add(spec, [], false);
  }
  return { jobs, problems, conditional };
}

/** Install jobs for conditional members whose package exists (missing ones are skipped, as dnf does). */
export function conditionalJobs(pool: Pool, members: ConditionalMember[], excluded: Uint8Array): Job[] {
  const out: Job[] = [];
  for (const m of members) {
    const { sets } = match(pool, m.name);
    for (const all of sets) {
      const ok = all.filter((id) => !excluded[id]);
      if (ok.length) out.push({ spec: m.name, candidates: ok });
    }
  }
  return out;
}

const specMatches = (x: { id: string; name: string }, id: string): boolean =>
  x.id === id || x.id.toLowerCase() === id.toLowerCase() || x.name.toLowerCase() === id.toLowerCase();

/**
 * Package names a group or environment request installs: `@id` is a group, or an environment
 * when no group matches (dnf5; dnf 4 takes both); `@^id` only an environment. A group defined
 * by several repos is merged (libcomps union), and so is an environment. An environment
 * installs the mandatory and default packages of each group of its grouplist; its optionlist
 * is not installed. null when nothing matches.
 */
function groupMembers(pool: Pool, spec: string): { plain: { name: string; why: string }[]; conditional: ConditionalMember[] } | null {
  const envOnly = spec.startsWith('@^');
  const id = spec.slice(envOnly ? 2 : 1);
  const groups = pool.repos.flatMap((r) => r.groups ?? []);
  const plain: { name: string; why: string }[] = [];
  const conditional: ConditionalMember[] = [];
  const seen = new Set<string>();
  const take = (gs: typeof groups, why: (name: string, gid: string) => string): void => {
    for (const g of gs) {
      for (const name of [...g.mandatory, ...g.default]) {
        if (seen.has(name)) continue;
        seen.add(name);
        plain.push({ name, why: why(name, g.id) });
      }
    }
    for (const g of gs) {
      for (const c of g.conditional) {
        if (seen.has(c.name) || !c.requires) continue;
        seen.add(c.name);
        conditional.push({ name: c.name, requires: c.requires, why: `${why(c.name, g.id)}, and ${c.requires} is installed` });
      }
    }
  };
  const gs = envOnly ? [] : groups.filter((x) => specMatches(x, id));
  if (gs.length) {
    take(gs, (name) => `${name} is in group ${spec}`);
    return { plain, conditional };
  }
  const envs = pool.repos.flatMap((r) => r.environments ?? []).filter((x) => specMatches(x, id));
  if (!envs.length) return null;
  for (const gid of new Set(envs.flatMap((e) => e.groups))) {
    take(groups.filter((g) => g.id === gid), (name) => `${name} is in group @${gid} of environment ${spec}`);
  }
  return { plain, conditional };
}
