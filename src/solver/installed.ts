// Solving on top of an installed system (libsolv's installed repo): which available packages
// may replace an installed one, and what the answer does to the installed packages.
import { Sense } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';
import { compareEvr, evrRangeMatches } from '../version/index.js';
import { archColorDiffers } from './arch.js';
import type { Pool } from './pool.js';
import { evrString } from './pool.js';
import type { InstalledChange } from './types.js';

export interface UpdateOptions {
  installonly: Uint8Array;
  excluded: Uint8Array;
}

/**
 * libsolv's policy_findupdatepackages (not a dup): packages of the same name and no older
 * version (the same one from a repo counts, the policy keeps the installed one) whose arch
 * is no illegal change (same color or noarch), then packages that obsolete it.
 */
export function updatesOf(pool: Pool, p: number, opts: UpdateOptions): number[] {
  const pkg = pool.pkgOf(p);
  const out: number[] = [];
  const usable = (q: number): boolean => q !== p && !pool.isInstalled(q) && !opts.excluded[q] && !out.includes(q);
  for (const q of pool.named(pkg.name)) {
    if (!usable(q) || compareEvr(pool.pkgOf(q), pkg) < 0) continue;
    if (pool.scores && archColorDiffers(pool.archScoreOf(p), pool.archScoreOf(q))) continue;
    out.push(q);
  }
  const self = { name: pkg.name, flags: Sense.EQUAL, version: evrString(pkg) };
  for (const e of pool.whatObsoletes(pkg.name)) {
    if (usable(e.sid) && !opts.installonly[e.sid] && evrRangeMatches(self, e.dep)) out.push(e.sid);
  }
  return out;
}

/** does `by` (a new package) obsolete installed `p` by an explicit Obsoletes? */
function obsoletes(pool: Pool, by: RepoPackage, p: RepoPackage): boolean {
  const self = { name: p.name, flags: Sense.EQUAL, version: evrString(p) };
  return by.obsoletes.some((d) => d.name === p.name && evrRangeMatches(self, d));
}

/**
 * The transaction's effect on the installed packages, as libsolv's testcase prints it: an
 * installed package replaced by a new one of its name is up/downgraded (or reinstalled), one
 * that a new package obsoletes is obsoleted, any other one left out is erased. A new package
 * replaces at most one installed package of its name (the same arch first).
 */
export function installedChanges(pool: Pool, chosen: ReadonlySet<number>, installonly: Uint8Array): InstalledChange[] {
  const fresh = [...chosen].filter((id) => !pool.isInstalled(id));
  const used = new Set<number>();
  const out: InstalledChange[] = [];
  for (const p of pool.installedIds) {
    if (chosen.has(p)) continue;
    const from = pool.pkgOf(p);
    const same = fresh.filter((q) => !used.has(q) && !installonly[q] && pool.pkgOf(q).name === from.name
      && !(pool.scores && archColorDiffers(pool.archScoreOf(p), pool.archScoreOf(q))));
    const q = same.find((id) => pool.pkgOf(id).arch === from.arch) ?? same[0];
    if (q !== undefined) {
      used.add(q);
      const to = pool.pkgOf(q);
      const c = compareEvr(to, from);
      out.push({ kind: c > 0 ? 'upgrade' : c < 0 ? 'downgrade' : 'reinstall', from, to });
      continue;
    }
    const by = fresh.find((id) => obsoletes(pool, pool.pkgOf(id), from));
    out.push(by === undefined ? { kind: 'erase', from } : { kind: 'obsolete', from, to: pool.pkgOf(by) });
  }
  return out;
}
