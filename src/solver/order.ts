// Install order, a port of rpm's tsort (lib/order.c, rpmtsOrder): relations "q before p" for
// every requirement of p that q in the set provides; ready packages queue by how many others
// depend on them; loops (strongly connected components) are entered at the package farthest
// from the Requires(pre/post) edges, so ordinary requires are the ones that get broken.
import { Sense, type Dep } from '../types/deps.js';
import type { RepoPackage } from '../types/package.js';
import { depMatches } from '../version/index.js';
import { isRich, parseRich, type Rich } from './richdep.js';

// rpm's isInstallPreReq mask and legacy PreReq
const INSTALL_PREREQ = Sense.SCRIPT_PRE | Sense.SCRIPT_POST | Sense.RPMLIB | Sense.KEYRING | Sense.PRETRANS | Sense.POSTTRANS;
const ALL_REQUIRES = Sense.INTERP | Sense.SCRIPT_PRE | Sense.SCRIPT_POST | Sense.SCRIPT_PREUN | Sense.SCRIPT_POSTUN |
  Sense.SCRIPT_VERIFY | Sense.FIND_REQUIRES | Sense.MISSINGOK | Sense.PREREQ | Sense.RPMLIB | Sense.KEYRING |
  Sense.PRETRANS | Sense.POSTTRANS | Sense.CONFIG | Sense.META;
const BIG = 0x3fffffff;

interface Rel { other: Node; flags: number }
interface Node {
  i: number; pkg: RepoPackage; color: number;
  count: number; qcnt: number;
  rels: Rel[]; fwd: Rel[]; // rels: packages requiring this one; fwd: packages this one requires (newest first, as rpm prepends)
  suc: Node | null; scc: number; low: number;
}

const color = (arch: string): number => (arch === 'noarch' ? 0 : /64|s390x/.test(arch) ? 2 : 1);

export interface OrderOptions {
  /**
   * rpm queues packages of the preferred color (64-bit ELF content on x86_64) ahead; the color
   * comes from file colors, approximated by arch here. false: every package colorless.
   */
  colors?: boolean;
  /** the package's rpm color (OR of its file colors: 1 = ELF32, 2 = ELF64), when headers are at hand */
  colorOf?: (p: RepoPackage) => number;
}

/** Order packages for installation (input order = the order they were added, as rpm's ts). */
export function installOrder(packages: RepoPackage[], opts: OrderOptions = {}): RepoPackage[] {
  const useColors = opts.colors ?? true;
  const nodes: Node[] = packages.map((pkg, i) => ({ i, pkg, color: !useColors ? 0 : opts.colorOf ? opts.colorOf(pkg) : color(pkg.arch), count: 0, qcnt: 0, rels: [], fwd: [], suc: null, scc: 0, low: 0 }));
  // %_prefer_color 2 on 64-bit hosts
  const prefcolor = nodes.some((n) => n.color === 2) ? 2 : 0;
  const provider = providerIndex(nodes);

  // record relations (addRelation)
  for (const p of nodes) {
    for (const d of p.pkg.requires) {
      if (d.flags & (Sense.RPMLIB | Sense.CONFIG) || d.name.startsWith('rpmlib(')) continue;
      const atoms = isRich(d.name) ? richAtoms(parseRich(d.name)) : [d];
      for (const a of atoms) {
        const q = provider(a, p, prefcolor);
        if (!q || q === p) continue;
        let flags = d.flags & INSTALL_PREREQ;
        if ((d.flags & ALL_REQUIRES) === Sense.PREREQ) flags |= Sense.SCRIPT_PRE;
        const head = q.rels[q.rels.length - 1];
        if (head && head.other === p) {
          head.flags |= flags;
          p.fwd[p.fwd.length - 1]!.flags |= flags;
          continue;
        }
        p.count++;
        q.qcnt++;
        q.rels.push({ other: p, flags });
        p.fwd.push({ other: q, flags });
        break;
      }
    }
  }
  // rpm prepends relations: walk them newest first
  for (const n of nodes) { n.rels.reverse(); n.fwd.reverse(); }

  const sccs = detectSccs(nodes);
  const order: RepoPackage[] = [];
  const main = { head: null as Node | null, tail: null as Node | null };
  for (const n of nodes) if (n.count === 0) { n.suc = null; addQ(n, main, prefcolor); }
  for (let k = 2; k < sccs.length; k++) if (sccs[k]!.count === 0) addQ(sccs[k]!.members[0]!, main, prefcolor);
  for (let q = main.head; q; q = q.suc) {
    if (q.scc > 1) collectScc(q, sccs, order, main, prefcolor);
    else collectTe(q, sccs, order, main, null, prefcolor);
  }
  // anything left (cannot happen with consistent counts) keeps input order
  if (order.length < packages.length) for (const n of nodes) if (n.scc !== 0) order.push(n.pkg);
  return order;
}

interface Queue { head: Node | null; tail: Node | null }

/** insert before the first queued package that fewer packages depend on (rpm's addQ) */
function addQ(p: Node, q: Queue, prefcolor: number): void {
  if (!q.tail) { q.head = q.tail = p; p.suc = null; return; }
  let prev: Node | null = null;
  let cur: Node | null = q.head;
  for (; cur; prev = cur, cur = cur.suc) {
    if (p.color !== prefcolor && p.color !== cur.color) continue;
    if (cur.qcnt <= p.qcnt) break;
  }
  if (!prev) { p.suc = cur; q.head = p; }
  else if (!cur) { prev.suc = p; p.suc = null; q.tail = p; }
  else { p.suc = cur; prev.suc = p; }
}

interface Scc { count: number; members: Node[] }

function detectSccs(nodes: Node[]): Scc[] {
  const sccs: Scc[] = [{ count: 0, members: [] }, { count: 0, members: [] }];
  let index = 0;
  const stack: Node[] = [];
  const visit = (t: Node): void => {
    index--;
    t.scc = index;
    t.low = index;
    stack.push(t);
    for (const r of t.rels) {
      const q = r.other;
      if (q.scc > 0) continue;
      if (q.scc === 0) { visit(q); t.low = Math.max(t.low, q.low); }
      else t.low = Math.max(t.low, q.scc);
    }
    if (t.low !== t.scc) return;
    if (stack[stack.length - 1] === t) { stack.pop()!.scc = 1; return; }
    const at = stack.lastIndexOf(t);
    const members = stack.splice(at);
    const nr = sccs.length;
    const scc: Scc = { count: 0, members };
    for (const m of members) m.scc = nr;
    for (const m of members) {
      scc.count += m.count;
      for (const r of m.rels) if (r.other !== m && r.other.scc === nr) scc.count--;
    }
    sccs.push(scc);
  };
  for (const n of nodes) if (n.scc === 0) visit(n);
  return sccs;
}

function collectTe(q: Node, sccs: Scc[], order: RepoPackage[], queue: Queue, outer: Queue | null, prefcolor: number): void {
  order.push(q.pkg);
  // packages queued after q go right behind it: a sub-queue starting at q.suc
  const sub: Queue = { head: q.suc, tail: queue.tail };
  const insert = (p: Node, into: Queue | null): void => {
    if (into) { addQ(p, into, prefcolor); return; }
    if (!sub.head) { q.suc = p; p.suc = null; queue.tail = p; sub.head = p; sub.tail = p; return; }
    addQ(p, sub, prefcolor);
    q.suc = sub.head;
    queue.tail = sub.tail;
  };
  for (const r of q.rels) {
    const p = r.other;
    if (p.scc === 0 || p === q) continue;
    if (--p.count === 0) insert(p, q.scc > 1 && q.scc !== p.scc ? outer : null);
    if (p.scc > 1 && p.scc !== q.scc && --sccs[p.scc]!.count === 0) insert(p, outer);
  }
  q.scc = 0;
}

function collectScc(p: Node, sccs: Scc[], order: RepoPackage[], main: Queue, prefcolor: number): void {
  const nr = p.scc;
  const scc = sccs[nr]!;
  const outer: Queue = { head: p.suc, tail: main.tail };
  p.suc = null;
  // distances from the prereq edges inside the loop (multi-source BFS over forward relations)
  const queue: Node[] = [];
  for (const t of scc.members) {
    t.low = BIG;
    const pre = t.fwd.find((r) => r.flags && r.other.scc === nr);
    if (pre) {
      if (pre.other !== t) { t.low = 0; queue.push(t); } else t.low = BIG / 2;
    }
  }
  if (!queue.length) for (const t of scc.members) if (t.low !== BIG) queue.push(t);
  for (let k = 0; k < queue.length; k++) {
    const t = queue[k]!;
    for (const r of t.fwd) {
      const n = r.other;
      if (n.scc !== nr) continue;
      if (n.low > t.low + 1) { n.low = t.low + 1; queue.push(n); }
    }
  }
  for (;;) {
    let best: Node | null = null;
    let bestScore = 0;
    for (const t of scc.members) {
      if (t.scc === 0) continue;
      if (t.low >= bestScore) { best = t; bestScore = t.low; }
    }
    if (!best) break;
    const inner: Queue = { head: null, tail: null };
    addQ(best, inner, prefcolor);
    for (let t = inner.head; t; t = t.suc) collectTe(t, sccs, order, inner, outer, prefcolor);
  }
  p.suc = outer.head;
  main.tail = outer.tail ?? p;
}

/** rpmalSatisfiesDepend: providers in input order; the preferred color wins, then being self */
function providerIndex(nodes: Node[]): (d: Dep, self: Node, prefcolor: number) => Node | null {
  const prov = new Map<string, { n: Node; d: Dep }[]>();
  const files = new Map<string, Node[]>();
  for (const n of nodes) {
    const p = n.pkg;
    for (const d of p.provides) (prov.get(d.name) ?? prov.set(d.name, []).get(d.name)!).push({ n, d });
    (prov.get(p.name) ?? prov.set(p.name, []).get(p.name)!).push({ n, d: { name: p.name, flags: Sense.EQUAL, version: `${p.epoch}:${p.version}-${p.release}` } });
    for (const f of p.files) (files.get(f) ?? files.set(f, []).get(f)!).push(n);
  }
  return (d, self, prefcolor) => {
    const cands: Node[] = [];
    for (const e of prov.get(d.name) ?? []) if (!cands.includes(e.n) && depMatches(e.d, d)) cands.push(e.n);
    if (d.name.startsWith('/')) for (const n of files.get(d.name) ?? []) if (!cands.includes(n)) cands.push(n);
    let best: Node | null = null;
    let bestScore = 0;
    for (const c of cands) {
      const score = (prefcolor && c.color === prefcolor ? 2 : 0) + (c === self ? 1 : 0);
      if (score > bestScore) { bestScore = score; best = c; }
    }
    return best ?? cands[0] ?? null;
  };
}

function richAtoms(r: Rich): Dep[] {
  switch (r.op) {
    case 'dep': return [r.dep];
    case 'if': case 'unless': return [...richAtoms(r.a), ...(r.c ? richAtoms(r.c) : [])];
    default: return r.args.flatMap(richAtoms);
  }
}
