// TEST-ONLY: reads libsolv testcase files (.t): testtags repos, system, solverflags,
// poolflags, job lines and `result transaction,problems` blocks, split at `nextjob`.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Sense, type Dep } from '../../src/types/deps.js';
import type { RepoPackage } from '../../src/types/package.js';
import { parseOp } from '../../src/version/index.js';

export interface TcRepo { name: string; prio: number; subprio: number; packages: RepoPackage[] }
export interface TcCase {
  repos: TcRepo[];
  system: { arch: string; disttype: string; installed: string | null };
  solverflags: string[];
  poolflags: string[];
  jobs: string[];
  results: { kinds: string[]; lines: string[] } | null;
  features: string[];
  /** `disable pkg ...` lines (packages taken out of the pool) */
  disabled: string[];
}

const RICH_OPS: Record<string, string> = { '&': 'and', '|': 'or', '<IF>': 'if', '<ELSE>': 'else', '<UNLESS>': 'unless', '<WITH>': 'with', '<WITHOUT>': 'without' };

/** testcase dep syntax -> rpm syntax: `A & B` -> `(A and B)`, `A <IF> (B <ELSE> C)` -> `(A if B else C)` */
export function tcDep(s: string): Dep {
  const t = s.trim();
  if (/(^|\s)(&|\||<IF>|<ELSE>|<UNLESS>|<WITH>|<WITHOUT>)(\s|$)/.test(t) || t.startsWith('(')) {
    return { name: toRpmRich(t), flags: 0, version: '' };
  }
  const m = /^(\S+)\s+(<=|>=|=|<|>)\s+(\S+)$/.exec(t);
  if (m) return { name: m[1]!, flags: parseOp(m[2]!), version: m[3]! };
  return { name: t, flags: 0, version: '' };
}

function toRpmRich(s: string): string {
  // tokenise keeping parentheses that group (a "(" preceded by a space or at start)
  const toks: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ') { i++; continue; }
    if (c === '(' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '(')) { toks.push('('); i++; continue; }
    if (c === ')' && depthOk(toks)) { toks.push(')'); i++; continue; }
    let j = i;
    let d = 0;
    while (j < s.length && (s[j] !== ' ' || d > 0)) {
      if (s[j] === '(') d++;
      if (s[j] === ')') { if (d === 0) break; d--; }
      j++;
    }
    toks.push(s.slice(i, j));
    i = j;
  }
  let k = 0;
  const expr = (): string => {
    const parts: string[] = [];
    const operand = (): string => {
      if (toks[k] === '(') { k++; const e = expr(); k++; return e; }
      let a = toks[k++]!;
      if (toks[k] && /^(<=|>=|=|<|>)$/.test(toks[k]!)) { a += ` ${toks[k]} ${toks[k + 1]}`; k += 2; }
      return a;
    };
    parts.push(operand());
    while (k < toks.length && toks[k] !== ')') {
      const op = RICH_OPS[toks[k]!] ?? toks[k]!;
      k++;
      parts.push(op, operand());
    }
    if (parts.length === 1) return parts[0]!;
    // libsolv writes `A <IF> (B <ELSE> C)`; rpm writes `(A if B else C)`
    if (parts.length === 3 && (parts[1] === 'if' || parts[1] === 'unless') && / else /.test(parts[2]!) && parts[2]!.startsWith('(')) {
      return `(${parts[0]} ${parts[1]} ${parts[2]!.slice(1, -1)})`;
    }
    // libsolv nests right to left: A <IF> B <ELSE> C == A <IF> (B <ELSE> C)
    return `(${parts.join(' ')})`;
  };
  const r = expr();
  return r.startsWith('(') ? r : `(${r})`;
}
function depthOk(toks: string[]): boolean {
  let d = 0;
  for (const t of toks) { if (t === '(') d++; else if (t === ')') d--; }
  return d > 0;
}

function pkg(name: string, evr: string, rel: string, arch: string, repo: string): RepoPackage {
  let epoch = 0;
  let version = evr;
  const m = /^(\d+):(.*)$/.exec(evr);
  if (m) { epoch = Number(m[1]); version = m[2]!; }
  return {
    name, epoch, version, release: rel, arch, repo, location: '', checksum: { type: 'sha256', value: '' },
    packageSize: 0, installedSize: 0, summary: '', sourcerpm: '', buildtime: 0, license: '', vendor: '', group: '',
    provides: [], requires: [], conflicts: [], obsoletes: [], recommends: [], suggests: [], supplements: [], enhances: [], files: [],
  };
}

export function parseTesttags(lines: string[], repo: string): RepoPackage[] {
  const out: RepoPackage[] = [];
  let cur: RepoPackage | null = null;
  let multi: { tag: string; items: string[] } | null = null;
  const apply = (tag: string, val: string): void => {
    if (tag === 'Pkg') {
      const [n, e, r, a] = val.trim().split(/\s+/);
      cur = pkg(n!, e!, r!, a!, repo);
      out.push(cur);
      return;
    }
    if (!cur) return;
    const c: RepoPackage = cur;
    const d = (): Dep => tcDep(val);
    switch (tag) {
      case 'Req': c.requires.push(d()); break;
      case 'Prq': { const x = d(); x.flags |= Sense.PREREQ; c.requires.push(x); break; }
      case 'Prv': c.provides.push(d()); break;
      case 'Con': c.conflicts.push(d()); break;
      case 'Obs': c.obsoletes.push(d()); break;
      case 'Rec': c.recommends.push(d()); break;
      case 'Sug': c.suggests.push(d()); break;
      case 'Sup': c.supplements.push(d()); break;
      case 'Enh': c.enhances.push(d()); break;
      case 'Fls': c.files.push(val.trim()); break;
      case 'Vnd': c.vendor = val.trim(); break;
      default: break;
    }
  };
  for (const raw of lines) {
    const l = raw.replace(/^#>/, '');
    if (multi) {
      const end = new RegExp(`^-${multi.tag}:`).test(l);
      if (end) { for (const it of multi.items) apply(multi.tag, it); multi = null; continue; }
      multi.items.push(l);
      continue;
    }
    const m = /^([=+])(\w+):\s?(.*)$/.exec(l);
    if (!m) continue;
    if (m[1] === '+') { multi = { tag: m[2]!, items: [] }; continue; }
    apply(m[2]!, m[3]!);
  }
  return out;
}

export function parseTestcase(file: string): TcCase[] {
  const text = readFileSync(file, 'utf8').split('\n');
  const cases: TcCase[] = [];
  const base = { repos: [] as TcRepo[], system: { arch: 'unset', disttype: 'rpm', installed: null as string | null }, poolflags: [] as string[], features: [] as string[], disabled: [] as string[] };
  let cur: TcCase = { ...base, solverflags: [], jobs: [], results: null };
  for (let i = 0; i < text.length; i++) {
    const line = text[i]!;
    if (!line || line.startsWith('#')) continue;
    const w = line.trim().split(/\s+/);
    switch (w[0]) {
      case 'repo': {
        const [pr, sub] = (w[2] ?? '0').split('.');
        const name = w[1]!;
        let pk: RepoPackage[] = [];
        if (w[3] === 'testtags') {
          if (w[4] === '<inline>') {
            const block: string[] = [];
            while (i + 1 < text.length && text[i + 1]!.startsWith('#>')) block.push(text[++i]!);
            pk = parseTesttags(block, name);
          } else pk = parseTesttags(readFileSync(join(dirname(file), w[4]!), 'utf8').split('\n'), name);
        }
        base.repos.push({ name, prio: Number(pr), subprio: Number(sub ?? 0), packages: pk });
        break;
      }
      case 'system': base.system = { arch: w[1]!, disttype: w[2]!, installed: w[3] ?? null }; break;
      case 'poolflags': base.poolflags.push(...w.slice(1)); break;
      case 'feature': base.features.push(...w.slice(1)); break;
      case 'disable': base.disabled.push(w.slice(1).join(' ')); break;
      case 'solverflags': cur.solverflags.push(...w.slice(1)); break;
      case 'job': cur.jobs.push(w.slice(1).join(' ')); break;
      case 'result': {
        const lines: string[] = [];
        if (w[2] === '<inline>') while (i + 1 < text.length && text[i + 1]!.startsWith('#>')) lines.push(text[++i]!.slice(2));
        cur.results = { kinds: (w[1] ?? '').split(','), lines };
        break;
      }
      case 'nextjob':
        cases.push(cur);
        cur = { ...base, repos: base.repos, system: base.system, solverflags: [], jobs: [], results: null };
        break;
      default: break;
    }
  }
  cases.push(cur);
  // repos/system are shared by all jobs of a file
  return cases.map((c) => ({ ...c, repos: base.repos, system: base.system, poolflags: base.poolflags, features: base.features, disabled: base.disabled }));
}
