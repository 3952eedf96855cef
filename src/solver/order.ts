// Install order as rpm's tsort (lib/order.c): a package comes after the packages that
// provide what it requires; among ready packages, those many others depend on go first;
// dependency loops (strongly connected components) are broken by first ignoring ordinary
// requires and keeping Requires(pre)/(post) (prereq) edges, then by input order.
import { Sense, type Dep } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';
import { depMatches } from '../version/index.js';
import { isRich, parseRich, type Rich } from './richdep.js';

const PREREQ = Sense.PREREQ | Sense.SCRIPT_PRE | Sense.SCRIPT_POST;
const SKIP = Sense.RPMLIB | Sense.CONFIG | Sense.PRETRANS | Sense.POSTTRANS;

interface Edge { to: number; prereq: boolean }

export function installOrder(packages: RepoPackage[]): RepoPackage[] {
  const n = packages.length;
  const prov = new Map<string, { i: number; d: Dep }[]>();
  const files = new Map<string, number[]>();
  packages.forEach((p, i) => {
    for (const d of p.provides) (prov.get(d.name) ?? prov.set(d.name, []).get(d.name)!).push({ i, d });
    const self = { name: p.name, flags: Sense.EQUAL, version: `${p.epoch}:${p.version}-${p.release}` };
    (prov.get(p.name) ?? prov.set(p.name, []).get(p.name)!).push({ i, d: self });
    for (const f of p.files) (files.get(f) ?? files.set(f, []).get(f)!).push(i);
  });
  const providerOf = (d: Dep, self: number): number => {
    for (const e of prov.get(d.name) ?? []) if (e.i !== self && depMatches(e.d, d)) return e.i;
    if (d.name.startsWith('/')) for (const i of files.get(d.name) ?? []) if (i !== self) return i;
    return -1;
  };
  // succ[q] = packages that must come after q; pred counts
  const succ: Edge[][] = Array.from({ length: n }, () => []);
  const predSet: Map<number, boolean>[] = Array.from({ length: n }, () => new Map());
  packages.forEach((p, i) => {
    for (const d of p.requires) {
      if (d.flags & SKIP || d.name.startsWith('rpmlib(')) continue;
      const prereq = (d.flags & PREREQ) !== 0;
      const deps = isRich(d.name) ? richAtoms(parseRich(d.name)) : [d];
      for (const a of deps) {
        const q = providerOf(a, i);
        if (q < 0) continue;
        const had = predSet[i]!.get(q);
        if (had === undefined) { predSet[i]!.set(q, prereq); succ[q]!.push({ to: i, prereq }); }
        else if (prereq && !had) { predSet[i]!.set(q, true); succ[q]!.find((e) => e.to === i)!.prereq = true; }
      }
    }
  });
  const qcnt = succ.map((s) => s.length);
  const comp = tarjan(n, succ);
  // condensed graph: component predecessor counts
  let ncomp = 0;
  for (const c of comp) if (c + 1 > ncomp) ncomp = c + 1;
  const members: number[][] = Array.from({ length: ncomp }, () => []);
  comp.forEach((c, i) => members[c]!.push(i));
  const cpred = new Array<number>(ncomp).fill(0);
  for (let q = 0; q < n; q++) for (const e of succ[q]!) if (comp[q] !== comp[e.to]) cpred[comp[e.to]!]!++;
  const cweight = members.map((m) => Math.max(...m.map((i) => qcnt[i]!)));
  const cfirst = members.map((m) => Math.min(...m));
  const ready: number[] = [];
  for (let c = 0; c < ncomp; c++) if (cpred[c] === 0) ready.push(c);
  const better = (a: number, b: number): boolean => cweight[a]! !== cweight[b]! ? cweight[a]! > cweight[b]! : cfirst[a]! < cfirst[b]!;
  const out: RepoPackage[] = [];
  while (ready.length) {
    let bi = 0;
    for (let k = 1; k < ready.length; k++) if (better(ready[k]!, ready[bi]!)) bi = k;
    const c = ready.splice(bi, 1)[0]!;
    for (const i of orderComponent(members[c]!, succ, qcnt)) out.push(packages[i]!);
    for (const i of members[c]!) for (const e of succ[i]!) {
      const tc = comp[e.to]!;
      if (tc !== c && --cpred[tc]! === 0) ready.push(tc);
    }
  }
  return out;
}

/** Order the members of one loop: prereq edges respected first, ordinary requires dropped. */
function orderComponent(m: number[], succ: Edge[][], qcnt: number[]): number[] {
  if (m.length === 1) return m;
  const inC = new Set(m);
  const pred = new Map<number, number>(m.map((i) => [i, 0]));
  for (const i of m) for (const e of succ[i]!) if (e.prereq && inC.has(e.to)) pred.set(e.to, pred.get(e.to)! + 1);
  const left = new Set(m);
  const out: number[] = [];
  while (left.size) {
    let pick = -1;
    for (const i of left) {
      if (pred.get(i)! > 0) continue;
      if (pick < 0 || qcnt[i]! > qcnt[pick]! || (qcnt[i] === qcnt[pick] && i < pick)) pick = i;
    }
    if (pick < 0) {
      // a loop of prereqs: take the one with the fewest unmet prereqs, then input order
      for (const i of left) if (pick < 0 || pred.get(i)! < pred.get(pick)! || (pred.get(i) === pred.get(pick) && i < pick)) pick = i;
    }
    left.delete(pick);
    out.push(pick);
    for (const e of succ[pick]!) if (e.prereq && left.has(e.to)) pred.set(e.to, pred.get(e.to)! - 1);
  }
  return out;
}

function tarjan(n: number, succ: Edge[][]): number[] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Uint8Array(n);
  const comp = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let idx = 0;
  let nc = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    // iterative DFS
    const work: [number, number][] = [[s, 0]];
    index[s] = low[s] = idx++;
    stack.push(s); onStack[s] = 1;
    while (work.length) {
      const top = work[work.length - 1]!;
      const [v, k] = top;
      const edges = succ[v]!;
      if (k < edges.length) {
        top[1]++;
        const w = edges[k]!.to;
        if (index[w] === -1) {
          index[w] = low[w] = idx++;
          stack.push(w); onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length) { const u = work[work.length - 1]![0]; low[u] = Math.min(low[u]!, low[v]!); }
      if (low[v] === index[v]) {
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = 0;
          comp[w] = nc;
          if (w === v) break;
        }
        nc++;
      }
    }
  }
  return comp;
}

function richAtoms(r: Rich): Dep[] {
  switch (r.op) {
    case 'dep': return [r.dep];
    case 'if': case 'unless': return [...richAtoms(r.a), ...(r.c ? richAtoms(r.c) : [])];
    default: return r.args.flatMap(richAtoms);
  }
}
