// TEST-ONLY: which libsolv testcases are in scope for an installroot, and how to run them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createPool, resolveJobs, type Job, type Pool } from '../../src/solver/index.js';
import { Sense } from '../../src/types/deps.js';
import { evrRangeMatches } from '../../src/version/index.js';
import { evrString } from '../../src/solver/pool.js';
import { bestPerName } from '../../src/solver/policy.js';
import { parseTestcase, tcDep, type TcCase } from './testcase-parser.js';
import type { RepoPackage } from '../../src/types/package.js';

export interface CaseEntry { id: string; file: string; index: number; tc: TcCase; skip: string | null; oracle: boolean }

const OK_SOLVERFLAGS = new Set(['ignorerecommended', 'allowuninstall', 'keeporphans', 'allowvendorchange', 'noautotarget']);
const OK_POOLFLAGS = new Set(['implicitobsoleteusescolors']);

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.t') ? [p] : [];
  });
}

export function skipReason(tc: TcCase): string | null {
  if (tc.system.disttype !== 'rpm' && tc.system.disttype !== '*') return `disttype ${tc.system.disttype}`;
  if (!tc.results) return 'no result block';
  if (!tc.results.kinds.includes('transaction')) return `result kind "${tc.results.kinds.join(',')}" is not a transaction`;
  for (const j of tc.jobs) {
    const flags = /\[(.*)\]$/.exec(j)?.[1]?.split(',') ?? [];
    if (flags.some((f) => f !== 'forcebest' && f !== 'targeted')) return `job flags [${flags.join(',')}]`;
    const job = j.replace(/\s*\[.*\]$/, '');
    if (/^multiversion (name|provides) /.test(job) && !flags.length) continue;
    if (!/^(install (name|pkg|provides|oneof) |update (name|pkg|provides|oneof) |update all packages$)/.test(job)) return `job "${j.split(' ').slice(0, 2).join(' ')}" is not an install or update`;
  }
  if (!tc.jobs.length) return 'no jobs';
  if (tc.disabled.length) return 'disabled packages (`disable pkg`)';
  if (tc.jobs.some((j) => j.includes('namespace:')) || tc.repos.some((r) => r.packages.some((p) => p.supplements.some((d) => d.name.includes('namespace:'))))) return 'namespace dependencies (no namespace callback)';
  const badS = tc.solverflags.filter((f) => !OK_SOLVERFLAGS.has(f));
  if (badS.length) return `solverflags ${badS.join(' ')}`;
  const badP = tc.poolflags.filter((f) => !OK_POOLFLAGS.has(f));
  if (badP.length) return `poolflags ${badP.join(' ')}`;
  return null;
}

/**
 * Cases whose only obstacle is the kind of result they check (`result rules` in cplxdeps)
 * can still be run when testsolv is installed: libsolv itself tells the expected transaction.
 */
export function collectCases(root: string, useOracle: boolean): CaseEntry[] {
  return walk(root).flatMap((f) => parseTestcase(f).map((tc, i, all) => {
    let skip = skipReason(tc);
    let oracle = false;
    if (skip && useOracle && tc.results && !tc.results.kinds.includes('transaction')) {
      const probe = { ...tc, results: { kinds: ['transaction'], lines: [] } };
      if (skipReason(probe) === null) { skip = null; oracle = true; }
    }
    return { id: relative(root, f) + (all.length > 1 ? `#${i + 1}` : ''), file: f, index: i, tc, skip, oracle };
  }));
}

const oracleCache = new Map<string, Map<number, string[]>>();
/** testsolv's transaction lines per case of a file, with every result block emptied. */
export function testsolvResults(file: string): Map<number, string[]> {
  const hit = oracleCache.get(file);
  if (hit) return hit;
  const src = readFileSync(file, 'utf8').split('\n');
  const out: string[] = [];
  for (let i = 0; i < src.length; i++) {
    const l = src[i]!;
    if (l.startsWith('result ')) {
      out.push('result transaction,problems <inline>');
      while (i + 1 < src.length && src[i + 1]!.startsWith('#>')) i++;
      continue;
    }
    out.push(l.startsWith('repo ') && !l.includes('<inline>') ? l.replace(/testtags (\S+)$/, (_m, n: string) => `testtags ${join(dirname(file), n)}`) : l);
  }
  const dir = mkdtempSync(join(tmpdir(), 'rfs-oracle-'));
  const tmp = join(dir, 'case.t');
  writeFileSync(tmp, out.join('\n'));
  let text = '';
  try { text = execFileSync('testsolv', [tmp], { encoding: 'utf8' }); } catch (e) { text = (e as { stdout?: string }).stdout ?? ''; } finally { rmSync(dir, { recursive: true, force: true }); }
  const res = new Map<number, string[]>();
  let cur = 0;
  for (const l of text.split('\n')) {
    const m = /^test (\d+):/.exec(l);
    if (m) { cur = Number(m[1]) - 1; res.set(cur, []); continue; }
    if (l.startsWith('+')) (res.get(cur) ?? res.set(cur, []).get(cur)!).push(l.slice(1));
  }
  oracleCache.set(file, res);
  return res;
}

function ref(pool: Pool, id: number): string {
  const s = pool.solvable(id);
  const p = s.pkg;
  return `${p.name}-${evrString(p)}.${p.arch}@${p.repo}`;
}

/** libsolv's update job: of the installed packages (untargeted), or towards the selected packages that are not installed (targeted) */
function toJob(pool: Pool, spec: string, autotarget: boolean): Job {
  const flags = /\[(.*)\]$/.exec(spec)?.[1]?.split(',') ?? [];
  const best = flags.includes('forcebest');
  const job = spec.replace(/\s*\[.*\]$/, '');
  if (!job.startsWith('update ')) {
    const cands = jobCandidates(pool, job);
    return { spec, candidates: best ? bestPerName(pool, cands) : cands };
  }
  const sel = job === 'update all packages' ? pool.installedIds : jobCandidates(pool, job);
  const targets = sel.filter((id) => !pool.isInstalled(id));
  const opt = best ? { best } : {};
  if (!flags.includes('targeted') && (!targets.length || !autotarget)) return { spec, candidates: sel.filter((id) => pool.isInstalled(id)), update: true, ...opt };
  return { spec, candidates: pool.installedIds, update: true, targets, ...opt };
}

function jobCandidates(pool: Pool, job: string): number[] {
  const m = /^\w+ (name|pkg|provides|oneof) (.*)$/.exec(job)!;
  const arg = m[2]!.trim();
  const all = Array.from({ length: pool.size }, (_, i) => i + 1);
  switch (m[1]) {
    case 'name': {
      const d = tcDep(arg);
      return pool.named(d.name).filter((id) => evrRangeMatches({ name: d.name, flags: Sense.EQUAL, version: evrString(pool.solvable(id).pkg) }, d));
    }
    case 'provides': return pool.whatProvides(tcDep(arg));
    case 'pkg': return all.filter((id) => ref(pool, id) === arg);
    default: { const want = new Set(arg.split(/\s+/)); return all.filter((id) => want.has(ref(pool, id))); }
  }
}

const TRANSACTION = /^(install|erase|upgrade|downgrade|reinstall|change) /;

/** Run one in-scope case: our transaction lines (sorted, as libsolv's testcase writes them) or 'problems'. */
export function runCase(tc: TcCase, oracleLines?: string[]): { got: string[] | 'problems'; want: string[] | 'problems' } {
  const repos = tc.repos.map((r) => ({
    id: r.name, priority: -r.prio, cost: -r.subprio, packages: r.packages, installed: r.name === tc.system.installed,
  }));
  const pool = createPool(repos, { arch: tc.system.arch });
  const multiversion = tc.jobs.filter((j) => j.startsWith('multiversion ')).map((j) => j.replace(/^multiversion \w+ /, ''));
  const jobs: Job[] = tc.jobs.filter((j) => !j.startsWith('multiversion ')).map((j) => toJob(pool, j, !tc.solverflags.includes('noautotarget')));
  const lines = oracleLines ?? tc.results!.lines;
  const want = lines.some((l) => l.startsWith('problem ')) ? 'problems' as const
    : lines.filter((l) => TRANSACTION.test(l)).map((l) => l.trim().replace(/\s+/g, ' ')).sort();
  if (jobs.some((j) => !j.candidates.length && !j.update)) return { got: 'problems', want };
  const res = resolveJobs(pool, jobs, new Uint8Array(pool.size + 1), {
    weakDeps: !tc.solverflags.includes('ignorerecommended'),
    implicitObsoleteUsesColors: tc.poolflags.includes('implicitobsoleteusescolors'),
    installonly: multiversion,
    allowErasing: tc.solverflags.includes('allowuninstall'),
  });
  if (!res.ok) return { got: 'problems', want };
  const byPkg = new Map(Array.from({ length: pool.size }, (_, i) => [pool.solvable(i + 1).pkg, i + 1] as const));
  const r = (p: RepoPackage): string => ref(pool, byPkg.get(p)!);
  const changes = res.transaction.changes ?? [];
  const replacing = new Set(changes.flatMap((c) => (c.kind === 'erase' || c.kind === 'obsolete' ? [] : [c.to])));
  const got = res.transaction.packages.filter((p) => !replacing.has(p)).map((p) => `install ${r(p)}`);
  for (const c of changes) got.push(c.kind === 'erase' ? `erase ${r(c.from)}` : `${c.kind === 'obsolete' ? 'erase' : c.kind} ${r(c.from)} ${r(c.to)}`);
  return { got: got.sort(), want };
}
