// Dependency matching as libsolv's pool_match_dep does for queries: a rich requirement counts
// through its `and`/`or`/`with` arms, the first arm of `without`, and the then/else arms of
// `if`/`unless` (not the condition).
import { isRich, parseRich, type Rich } from '../solver/index.js';
import type { Dep, RepoPackage } from '../types/index.js';
import { Sense } from '../types/index.js';
import { depMatches, evrRangeMatches, parseOp } from '../version/index.js';
import { globToRegExp } from '../util/glob.js';

function richMatches(r: Rich, provide: Dep): boolean {
  switch (r.op) {
    case 'dep': return simpleMatches(r.dep, provide);
    case 'without': return r.args[0] ? richMatches(r.args[0], provide) : false;
    case 'if': case 'unless': return richMatches(r.a, provide) || (r.c !== null && richMatches(r.c, provide));
    default: return r.args.some((a) => richMatches(a, provide));
  }
}

function simpleMatches(req: Dep, provide: Dep): boolean {
  return depMatches(provide, req);
}

/** Whether `req` is met by `provide` (names equal, ranges overlap), rich requirements included. */
export function requireMatches(req: Dep, provide: Dep): boolean {
  if (!isRich(req.name)) return simpleMatches(req, provide);
  try {
    return richMatches(parseRich(req.name), provide);
  } catch {
    return false; // a malformed rich dep in the metadata matches nothing here, as it could not be solved either
  }
}

/** A package's provides with its implicit `name = E:V-R` (metadata may leave it out). */
export function providesOf(p: RepoPackage): Dep[] {
  const self = p.provides.some((d) => d.name === p.name);
  if (self) return p.provides;
  const evr = `${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}`;
  return [...p.provides, { name: p.name, flags: Sense.EQUAL, version: evr }];
}

/** `name`, or `name OP evr`, as dnf reads a --whatprovides / provides argument. */
export function parseDepSpec(spec: string): { re: RegExp; range: Dep | null } {
  const m = /^(\S+)\s*(<=|>=|==|=<|=>|=|<|>)\s*(\S+)$/.exec(spec);
  if (!m) return { re: globToRegExp(spec), range: null };
  return { re: globToRegExp(m[1]!), range: { name: m[1]!, flags: parseOp(m[2]!), version: m[3]! } };
}

/** The provides of `p` a provide spec (glob, or `name OP evr`) matches. */
export function matchingProvides(p: RepoPackage, spec: { re: RegExp; range: Dep | null }): Dep[] {
  return providesOf(p).filter((d) => spec.re.test(d.name) && (!spec.range || evrRangeMatches(d, spec.range)));
}
