// TEST-ONLY: tiny pools from libsolv testtags text (`#>=Pkg: name ver rel arch` lines).
import { createPool, resolve, renderProblem, type Pool, type Request, type ResolveOptions } from '../../src/solver/index.js';
import type { CompsEnvironment, CompsGroup } from '../../src/types/package.js';
import { parseTesttags } from './testcase-parser.js';

export interface RepoSpec { id?: string; priority?: number; cost?: number; tags: string; groups?: CompsGroup[]; environments?: CompsEnvironment[]; installed?: boolean }

const lines = (t: string): string[] => t.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => (l.startsWith('#>') ? l : `#>${l}`));

export function poolOf(repos: RepoSpec[] | string, arch = 'x86_64'): Pool {
  const list = typeof repos === 'string' ? [{ tags: repos }] : repos;
  return createPool(list.map((r, i) => {
    const id = r.id ?? `r${i}`;
    return { id, priority: r.priority ?? 99, cost: r.cost ?? 1000, packages: parseTesttags(lines(r.tags), id), ...(r.groups ? { groups: r.groups } : {}), ...(r.environments ? { environments: r.environments } : {}), ...(r.installed ? { installed: true } : {}) };
  }), { arch });
}

/** install set as `name-evr.arch@repo`, or the rendered problems prefixed with "PROBLEM: " */
export function solve(pool: Pool, install: string[] | Request, opts: ResolveOptions = {}): string[] {
  const req = Array.isArray(install) ? { install } : install;
  const r = resolve(pool, req, opts);
  if (!r.ok) return r.problems.map((p) => `PROBLEM: ${renderProblem(p)}`);
  return r.transaction.packages.map((p) => `${p.name}-${p.epoch ? `${p.epoch}:` : ''}${p.version}-${p.release}.${p.arch}@${p.repo}`);
}
