// libsolv's choice rules (rules.c solver_addchoicerules): when a requirement of a new package
// can be met by updating an installed package, the new package takes that update rather than
// a provider that is new to the system. Weak: dropped when they make the request unsolvable.
import { Sense } from '../types/deps.js';
import { compareEvr, evrRangeMatches } from '../version/index.js';
import { archColorDiffers } from './arch.js';
import type { Pool } from './pool.js';
import { evrString } from './pool.js';
import { filterUnwanted } from './policy.js';
import { lit } from './sat.js';

export interface ChoiceRule { lits: number[]; info: { type: 'choice'; pkg: number; dep: string; providers: number[] } }

interface ChoiceInput {
  readonly pool: Pool;
  readonly clauses: readonly number[][];
  readonly infos: readonly { type: string; pkg?: number; dep?: string }[];
  readonly opts: { readonly installonly: Uint8Array };
  updates(p: number): number[];
}

/**
 * the installed package that `p` would replace (libsolv choicerule_find_installed): one of its
 * name, else one it obsoletes; -1 when that replacement is no allowed update (a downgrade or an
 * arch change), 0 when p is independent of the installed packages
 */
function replaced(pool: Pool, p: number): number {
  const pkg = pool.pkgOf(p);
  for (const q of pool.named(pkg.name)) {
    if (!pool.isInstalled(q)) continue;
    if (pool.scores && archColorDiffers(pool.archScoreOf(p), pool.archScoreOf(q))) return -1;
    return compareEvr(pool.pkgOf(q), pkg) > 0 ? -1 : q;
  }
  for (const d of pkg.obsoletes) {
    for (const q of pool.named(d.name)) {
      const qp = pool.pkgOf(q);
      if (pool.isInstalled(q) && evrRangeMatches({ name: qp.name, flags: Sense.EQUAL, version: evrString(qp) }, d)) return q;
    }
  }
  return 0;
}

/**
 * solver_choicerulecheck: does the rule (providers `m`) still hold one of the best updates of
 * installed p2? Only asked for packages being updated.
 */
function keepsBest(pool: Pool, rule: number[], m: ReadonlySet<number>): boolean {
  if (rule.length === 1) return m.has(rule[0]!);
  if (rule.every((x) => m.has(x))) return true;
  return filterUnwanted(rule, { pool }).some((b) => m.has(b));
}

/**
 * Choice rules for the requires rules (libsolv 0.7.23 solver_addchoicerules): when some
 * providers are installed or update an installed package and others are new to the system, a
 * weak rule asks for the former. `updating`: installed packages an update job asks to update.
 */
export function choiceRules(rb: ChoiceInput, updating: ReadonlySet<number>): ChoiceRule[] {
  const { pool } = rb;
  const out: ChoiceRule[] = [];
  const updateRule = (p2: number): number[] => [p2, ...(rb.opts.installonly[p2] ? [] : rb.updates(p2))];
  for (let i = 0; i < rb.clauses.length; i++) {
    const info = rb.infos[i]!;
    const c = rb.clauses[i]!;
    if (info.type !== 'requires' || c.length < 3 || (c[0]! & 1) === 0) continue;
    const req = c[0]! >> 1;
    const negs = c.slice(1).filter((l) => l & 1);
    const provs = c.slice(1).filter((l) => (l & 1) === 0).map((l) => l >> 1);
    // the requiring side installed and not being updated (any installed negative literal)
    const settled = [req, ...negs.map((l) => l >> 1)].some((x) => pool.isInstalled(x) && !updating.has(x));
    let pairs: [number, number][] = [];
    let independent = false;
    for (const p of provs) {
      if (pool.isInstalled(p)) { pairs.push([p, p]); continue; }
      const p2 = replaced(pool, p);
      if (p2 > 0) pairs.push([p2, p]);
      else if (p2 === 0) independent = true;
    }
    if (!independent || !pairs.length) continue;
    const m = new Set(provs);
    if (!settled) pairs = pairs.filter(([p2]) => !updating.has(p2) || keepsBest(pool, updateRule(p2), m));
    if (!pairs.length) continue;
    // nothing to choose when every way to keep or update the installed packages meets the rule
    if (pairs.every(([p2]) => updateRule(p2).every((x) => m.has(x)))) continue;
    out.push({ lits: [c[0]!, ...negs, ...pairs.map(([, p]) => lit(p, true))], info: { type: 'choice', pkg: req, dep: info.dep!, providers: provs } });
  }
  return out;
}

/**
 * libsolv's solver_check_unneeded_choicerules: a choice rule whose requirement the answer also
 * meets with a package the rule left out was not needed; it and the choice rules over those
 * packages are dropped (keys returned) and the search is redone. Empty when all were needed.
 */
export function unneededChoices(rules: readonly { lits: readonly number[]; info: ChoiceRule['info'] }[], chosen: ReadonlySet<number>): string[] {
  const drop = new Set<number>();
  for (const r of rules) {
    const kept = new Set(r.lits.filter((l) => (l & 1) === 0).map((l) => l >> 1));
    const left = r.info.providers.filter((p) => !kept.has(p));
    if (!left.some((p) => chosen.has(p))) continue;
    const m = new Set(left);
    rules.forEach((o, k) => { if (o.info.providers.some((p) => m.has(p))) drop.add(k); });
  }
  return [...drop].map((k) => choiceKeyOf(rules[k]!.info));
}

/** identifies a choice rule across searches */
export function choiceKeyOf(info: { pkg: number; dep: string }): string {
  return `${info.pkg}\0${info.dep}`;
}
