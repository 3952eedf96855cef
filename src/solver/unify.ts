import type { RuleInfo } from './rules.js';

/**
 * libsolv's solver_unifyrules: package rules (after the `nJobs` job rules) sorted by their
 * first literal (the requiring package, highest id first), then by the remaining literals,
 * duplicates dropped. The decision sweep walks rules in this order, so it decides which
 * choice is made first. Sorts `clauses` and `infos` in place.
 */
export function unifyRules(clauses: number[][], infos: RuleInfo[], nJobs: number): void {
  const signed = (l: number): number => ((l & 1) ? -(l >> 1) : l >> 1);
  const idx = Array.from({ length: clauses.length - nJobs }, (_, i) => i + nJobs);
  const cmp = (i: number, j: number): number => {
    const a = clauses[i]!, b = clauses[j]!;
    const x = signed(a[0]!) - signed(b[0]!);
    if (x) return x;
    const aBin = a.length <= 2, bBin = b.length <= 2;
    const aw = a.length > 1 ? signed(a[1]!) : 0, bw = b.length > 1 ? signed(b[1]!) : 0;
    if (aBin && bBin) return aw - bw;
    if (aBin) return aw - bw || -1;
    if (bBin) return aw - bw || 1;
    for (let k = 1; k < b.length; k++) {
      if (k >= a.length) return -1;
      const d = signed(a[k]!) - signed(b[k]!);
      if (d) return d;
    }
    return a.length > b.length ? 1 : 0;
  };
  idx.sort((i, j) => cmp(i, j) || i - j);
  const outC = clauses.slice(0, nJobs);
  const outI = infos.slice(0, nJobs);
  let prev = -1;
  for (const i of idx) {
    if (prev >= 0 && cmp(prev, i) === 0) continue;
    outC.push(clauses[i]!);
    outI.push(infos[i]!);
    prev = i;
  }
  // copy back element by element: spreading 100k+ rules into push() overflows the stack
  clauses.length = outC.length;
  infos.length = outI.length;
  for (let k = 0; k < outC.length; k++) {
    clauses[k] = outC[k]!;
    infos[k] = outI[k]!;
  }
}
