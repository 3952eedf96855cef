// Explaining an unsatisfiable request: pick the rules of the unsatisfiable core that say
// something to a person (nothing provides, conflicts, obsoletes, same name), and the path of
// requirements from the request to them. Rendering mirrors libsolv's solver_problemruleinfo2str.
import type { Pool } from './pool.js';
import type { RuleBuilder, RuleInfo } from './rules.js';
import type { Job } from './jobs.js';
import type { Problem } from './types.js';

const MAX_PROBLEMS = 5;

export function explainCore(pool: Pool, jobs: Job[], rb: RuleBuilder, core: number[], excluded: Uint8Array): Problem[] {
  const infos = core.map((ci) => ({ ci, info: rb.infos[ci]! }));
  const chainTo = chainFinder(pool, jobs, rb, core);
  const nv = (id: number): string => pool.solvable(id).nevra;
  // name the installed packages among those a problem is about (only with an installed system)
  const mark = <P extends Problem>(p: P, ids: number[]): P => {
    const inst = ids.filter((id) => pool.isInstalled(id)).map(nv);
    return inst.length ? { ...p, installed: inst } : p;
  };
  const out: Problem[] = [];
  const seen = new Set<string>();
  const byKey = new Map<string, Problem>();
  const push = (key: string, p: Problem): void => {
    if (seen.has(key) || out.length >= MAX_PROBLEMS) return;
    seen.add(key);
    out.push(p);
  };
  const rank = (i: RuleInfo): number =>
    i.type === 'nothing-provides' ? 0 : i.type === 'conflicts' ? 1 : i.type === 'obsoletes' ? 2 : i.type === 'same-name' ? 3 : 9;
  const sorted = infos.filter((x) => rank(x.info) < 9).sort((a, b) => rank(a.info) - rank(b.info) || a.ci - b.ci);
  for (const { info } of sorted) {
    switch (info.type) {
      case 'nothing-provides': {
        const all = info.raw ? pool.whatProvides(info.raw) : [];
        const chain = chainTo(info.pkg);
        if (all.length && all.every((id) => excluded[id])) {
          push(`x${info.dep}`, { kind: 'excluded-provider', dep: info.dep, neededBy: nv(info.pkg), excluded: all.map(nv), chain });
        } else {
          // several versions of one package missing the same dependency name: one problem
          const name = pool.solvable(info.pkg).pkg.name;
          const depName = info.raw?.name ?? info.dep;
          const key = `n${name}\0${depName}`;
          const prev = byKey.get(key);
          if (prev?.kind === 'nothing-provides') { (prev.alsoFailing ??= []).push(nv(info.pkg)); break; }
          const np: Problem = mark({ kind: 'nothing-provides', dep: info.dep, neededBy: nv(info.pkg), chain }, [info.pkg]);
          byKey.set(key, np);
          push(key, np);
        }
        break;
      }
      case 'conflicts':
        push(`c${info.pkg}\0${info.other}`, mark({ kind: 'conflicts', pkg: nv(info.pkg), other: nv(info.other), dep: info.dep, chain: mergeChains(chainTo(info.pkg), chainTo(info.other)) }, [info.pkg, info.other]));
        break;
      case 'obsoletes': {
        const back = rb.infos.some((x) => x.type === 'obsoletes' && x.pkg === info.other && x.other === info.pkg);
        const key = `o${Math.min(info.pkg, info.other)}\0${Math.max(info.pkg, info.other)}`;
        const chain = mergeChains(chainTo(info.pkg), chainTo(info.other));
        if (back) push(key, { kind: 'both-obsolete', pkg: nv(Math.min(info.pkg, info.other)), other: nv(Math.max(info.pkg, info.other)), chain });
        else push(key, mark({ kind: 'obsoletes', pkg: nv(info.pkg), other: nv(info.other), dep: info.dep, chain }, [info.pkg, info.other]));
        break;
      }
      case 'same-name':
        push(`s${info.pkg}\0${info.other}`, mark({ kind: 'same-name', pkg: nv(info.pkg), other: nv(info.other), chain: mergeChains(chainTo(info.pkg), chainTo(info.other)) }, [info.pkg, info.other]));
        break;
    }
  }
  if (!out.length) {
    // e.g. a rich dependency whose alternatives are all blocked
    const req = infos.find((x) => x.info.type === 'requires');
    if (req && req.info.type === 'requires') {
      const prov = rb.clauses[req.ci]!.filter((l) => (l & 1) === 0).map((l) => nv(l >> 1));
      out.push(mark({ kind: 'requires-uninstallable', pkg: nv(req.info.pkg), dep: req.info.dep, providers: prov, chain: chainTo(req.info.pkg) }, [req.info.pkg]));
    } else {
      const job = infos.find((x) => x.info.type === 'job');
      const j = job && job.info.type === 'job' ? jobs[job.info.job] : jobs[0];
      out.push({ kind: 'request-uninstallable', request: j?.spec ?? '', candidates: (j?.candidates ?? []).map(nv), chain: [] });
    }
  }
  return out;
}

function mergeChains(a: string[], b: string[]): string[] {
  return [...a, ...b.filter((x) => !a.includes(x))];
}

/** Breadth-first from the requested candidates along the core's requires rules. */
function chainFinder(pool: Pool, jobs: Job[], rb: RuleBuilder, core: number[]): (target: number) => string[] {
  const edges = new Map<number, { to: number[]; dep: string }[]>();
  const starts = new Map<number, string>();
  for (const ci of core) {
    const info = rb.infos[ci]!;
    if (info.type === 'job') for (const c of jobs[info.job]!.candidates) if (!starts.has(c)) starts.set(c, jobs[info.job]!.spec);
    if (info.type === 'requires') {
      const to = rb.clauses[ci]!.filter((l) => (l & 1) === 0).map((l) => l >> 1);
      const list = edges.get(info.pkg) ?? [];
      list.push({ to, dep: info.dep });
      edges.set(info.pkg, list);
    }
  }
  const nv = (id: number): string => pool.solvable(id).nevra;
  return (target: number): string[] => {
    const prev = new Map<number, { from: number; dep: string } | null>();
    const queue: number[] = [];
    for (const s of starts.keys()) { prev.set(s, null); queue.push(s); }
    for (let k = 0; k < queue.length && !prev.has(target); k++) {
      const p = queue[k]!;
      for (const e of edges.get(p) ?? []) for (const q of e.to) {
        if (prev.has(q)) continue;
        prev.set(q, { from: p, dep: e.dep });
        queue.push(q);
      }
    }
    if (!prev.has(target)) return [];
    const steps: string[] = [];
    let cur = target;
    for (let step = prev.get(cur); step; step = prev.get(cur)) {
      steps.unshift(`${nv(step.from)} requires ${step.dep}, provided by ${nv(cur)}`);
      cur = step.from;
    }
    steps.unshift(`'${starts.get(cur)}' was requested and selects ${nv(cur)}`);
    return steps;
  };
}

/** Short sentences for people, like libsolv's problem strings, followed by the chain. */
export function renderProblem(p: Problem): string {
  const inst = 'installed' in p ? p.installed ?? [] : [];
  const n = (nevra: string): string => (inst.includes(nevra) ? `${nevra} (installed)` : nevra);
  let head: string;
  switch (p.kind) {
    case 'not-found': head = `no package matches '${p.request}'`; break;
    case 'only-excluded': head = `all packages matching '${p.request}' are excluded: ${p.excluded.join(', ')}`; break;
    case 'nothing-provides': head = `nothing provides ${p.dep} needed by ${n(p.neededBy)}${p.alsoFailing?.length ? ` (likewise for ${p.alsoFailing.join(', ')})` : ''}`; break;
    case 'excluded-provider': head = `${p.dep} needed by ${p.neededBy} is only provided by excluded packages: ${p.excluded.join(', ')}`; break;
    case 'conflicts': head = `package ${n(p.pkg)} conflicts with ${p.dep} provided by ${n(p.other)}`; break;
    case 'obsoletes': head = `package ${n(p.pkg)} obsoletes ${p.dep} provided by ${n(p.other)}`; break;
    case 'both-obsolete': head = `packages ${p.pkg} and ${p.other} obsolete each other and cannot both be installed`; break;
    case 'same-name': head = `cannot install both ${n(p.pkg)} and ${n(p.other)}`; break;
    case 'requires-uninstallable': head = `package ${n(p.pkg)} requires ${p.dep}, but none of the providers can be installed${p.providers.length ? ` (${p.providers.join(', ')})` : ''}`; break;
    case 'request-uninstallable': head = `none of the packages for '${p.request}' can be installed (${p.candidates.join(', ')})`; break;
  }
  return p.chain.length ? `${head}\n${p.chain.map((c) => `  - ${c}`).join('\n')}` : head;
}
