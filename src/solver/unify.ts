/**
 * libsolv's solver_unifyrules: package rules (after the `nJobs` job rules) sorted by their
 * first literal (the requiring package, highest id first), then by the remaining literals,
 * duplicates dropped. The decision sweep walks rules in this order, so it decides which
 * choice is made first. Sorts `clauses` and `infos` (whatever explains each clause) in place.
 */
export function unifyRules<Info>(clauses: number[][], infos: Info[], nJobs: number): void {
  const signed = (l: number): number => ((l & 1) ? -(l >> 1) : l >> 1);
  const n = clauses.length;
  // the first two literals decide most comparisons: read them once
  const first = new Int32Array(n);
  const second = new Int32Array(n);
  const bin = new Uint8Array(n);
  for (let i = nJobs; i < n; i++) {
    const c = clauses[i]!;
    first[i] = c.length ? signed(c[0]!) : 0;
    second[i] = c.length > 1 ? signed(c[1]!) : 0;
    bin[i] = c.length <= 2 ? 1 : 0;
  }
  const cmp = (i: number, j: number): number => {
    const x = first[i]! - first[j]!;
    if (x) return x;
    const aBin = bin[i] === 1, bBin = bin[j] === 1;
    const w = second[i]! - second[j]!;
    if (aBin && bBin) return w;
    if (aBin) return w || -1;
    if (bBin) return w || 1;
    const a = clauses[i]!, b = clauses[j]!;
    for (let k = 1; k < b.length; k++) {
      if (k >= a.length) return -1;
      const d = signed(a[k]!) - signed(b[k]!);
      if (d) return d;
    }
    return a.length > b.length ? 1 : 0;
  };
  const idx = new Array<number>(n - nJobs);
  for (let i = 0; i < idx.length; i++) idx[i] = i + nJobs;
  idx.sort((i, j) => cmp(i, j) || i - j);
  const outC = clauses.slice(0, nJobs);
  const outI = infos.slice(0, nJobs);
  let prev = -1;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
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
