// Repos in, install set out: load metadata, solve, and load filelists only when a file
// dependency needs them (as dnf5 does), then solve again.
import { RfsError } from '../errors/index.js';
import type { Fetcher } from '../fetch/index.js';
import { filterModular, loadRepo } from '../metadata/index.js';
import type { LoadedRepo } from '../metadata/index.js';
import { createPool, renderProblem, resolve } from '../solver/index.js';
import type { Pool, Problem } from '../solver/index.js';
import type { EventSink, RepoConfig, RepoPackage } from '../types/index.js';

export interface SolveInput {
  repos: RepoConfig[];
  arch: string;
  install: string[];
  exclude?: string[];
  weakDeps?: boolean;
  installonly?: string[];
  cacheDir: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface SolveOutput {
  packages: RepoPackage[];
  repos: LoadedRepo[];
}

export async function loadRepos(repos: RepoConfig[], fetcher: Fetcher, input: Omit<SolveInput, 'repos' | 'install'>): Promise<LoadedRepo[]> {
  if (repos.length === 0) {
    throw new RfsError('RFS_BAD_CONFIG', 'loading repositories: none is enabled', {
      hint: 'name a distro (centos:4.9), or add repos with --repofrompath ID,URL / --repo-file',
    });
  }
  const loaded = await Promise.all(
    repos.map((r) =>
      loadRepo(r, fetcher, {
        arch: input.arch,
        cacheDir: input.cacheDir,
        ...(input.onEvent ? { onEvent: input.onEvent } : {}),
        ...(input.signal ? { signal: input.signal } : {}),
      }),
    ),
  );
  filterModular(loaded);
  return loaded;
}

function missingFileDeps(problems: Problem[]): boolean {
  return problems.some((p) => JSON.stringify(p).includes('"dep":"/') || JSON.stringify(p).includes('"name":"/'));
}

export async function solve(loaded: LoadedRepo[], input: Omit<SolveInput, 'repos' | 'cacheDir'>): Promise<RepoPackage[]> {
  const poolRepos = loaded.map((r) => ({
    id: r.config.id,
    priority: r.config.priority ?? 99,
    cost: r.config.cost ?? 1000,
    packages: r.packages,
    groups: r.groups,
  }));
  let pool: Pool = createPool(poolRepos, { arch: input.arch });
  const request = { install: input.install, ...(input.exclude ? { exclude: input.exclude } : {}) };
  const opts = { weakDeps: input.weakDeps ?? false, ...(input.installonly ? { installonly: input.installonly } : {}) };
  let result = resolve(pool, request, opts);
  if (!result.ok && missingFileDeps(result.problems) && loaded.some((r) => r.hasFilelists)) {
    const withFiles = await Promise.all(loaded.map(async (r) => ({ id: r.config.id, files: r.hasFilelists ? await r.loadFilelists() : null })));
    pool = createPool(
      poolRepos.map((r, i) => {
        const files = withFiles[i]!.files;
        return files ? { ...r, filelists: files } : r;
      }),
      { arch: input.arch },
    );
    result = resolve(pool, request, opts);
  }
  if (!result.ok) {
    const text = result.problems.map((p, i) => `  ${i + 1}. ${renderProblem(p)}`).join('\n');
    throw new RfsError('RFS_UNSOLVABLE', `resolving dependencies: no install set satisfies the request\n${text}`, {
      details: result.problems,
      hint: 'check package names and versions, or --exclude a package; --weak-deps changes what is pulled in',
    });
  }
  return result.transaction.packages;
}
