// Repos in, install set out: load metadata, solve, and load filelists only when a file
// dependency needs them (as dnf5 does), then solve again.
import { RfsError, untrusted } from '../errors/index.js';
import type { Fetcher } from '../fetch/index.js';
// not the metadata barrel: it would load every parser (xml2js, yaml, sax, sql.js) on a warm run
import { loadRepo, type LoadedRepo } from '../metadata/load.js';
import { filterModular } from '../metadata/modular.js';
import { createPool, renderProblem, resolve } from '../solver/index.js';
import type { InstalledChange, Pool, Problem, Request, ResolveOptions, ResolveResult } from '../solver/index.js';
import type { DistroRelease, EventSink, RepoConfig, RepoPackage } from '../types/index.js';
import { bestFor, checkModulesExist } from './dnf-options.js';
import type { AssembleOptions } from './options.js';
import { problemOrigin, requestOrigin, type RequestOrigin } from './request.js';

export interface SolveInput {
  repos: RepoConfig[];
  arch: string;
  install: string[];
  exclude?: string[];
  weakDeps?: boolean;
  installonly?: string[];
  best?: boolean;
  skipBroken?: boolean;
  /** --module NAME:STREAM (checked against the repos' modules.yaml) */
  modules?: string[];
  /** where each install request came from (resolveRequest), named in errors */
  origins?: ReadonlyMap<string, RequestOrigin>;
  cacheDir: string;
  onEvent?: EventSink;
  signal?: AbortSignal;
}

export interface SolveOutput {
  packages: RepoPackage[];
  repos: LoadedRepo[];
}

/** How loadRepos() loads: the target arch, and where the metadata cache lives. */
export interface LoadReposOptions {
  /** target arch (x86_64, i686, aarch64, ...): packages of other arches are left out, as dnf does */
  arch: string;
  /** the metadata cache, normally the Fetcher's own cacheDir (default for both: defaultCacheDir()) */
  cacheDir: string;
  /** receives repo:loaded and fetch progress events */
  onEvent?: EventSink;
  /** aborts the loading (the promise rejects with RFS_ABORTED) */
  signal?: AbortSignal;
  /** NAME:STREAM module streams to enable, as `dnf module enable` (checked against the repos' modules.yaml) */
  modules?: string[];
}

/**
 * Every repo's metadata (repomd, primary, comps, modules), loaded in parallel, with dnf's modular
 * filtering applied across them. File lists are not loaded here: solveWithFilelists() loads them
 * when a file dependency needs them. Keep `fetcher` open until solving is done.
 */
export async function loadRepos(repos: RepoConfig[], fetcher: Fetcher, input: LoadReposOptions): Promise<LoadedRepo[]> {
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
  checkModulesExist(input.modules ?? [], loaded);
  filterModular(loaded, { enable: input.modules ?? [] });
  return loaded;
}

function missingFileDep(problems: Problem[]): boolean {
  return problems.some((p) => ((p.kind === 'nothing-provides' || p.kind === 'excluded-provider') && p.dep.startsWith('/')) ||
    (p.kind === 'not-found' && p.request.startsWith('/')));
}

/**
 * A solver pool over loaded repos, each with the priority and cost of its config (dnf's defaults
 * 99 and 1000), after the installed system's packages when there is one (a base image's rpmdb).
 */
export function poolFor(loaded: LoadedRepo[], arch: string, installed?: { id: string; packages: RepoPackage[] }): Pool {
  return createPool([
    ...(installed ? [{ id: installed.id, priority: 99, cost: 1000, packages: installed.packages, installed: true }] : []),
    ...loaded.map((r) => ({
      id: r.config.id, priority: r.config.priority ?? 99, cost: r.config.cost ?? 1000, packages: r.packages, groups: r.groups,
      ...(r.index ? { index: r.index } : {}), ...(r.environments ? { environments: r.environments } : {}),
    })),
  ], { arch });
}

/**
 * Solve; when a file dependency went unmet (or a candidate was passed over for one) and repos
 * have filelists, load them into the pool and solve again, as dnf does. Use this rather than the
 * solver's pure resolve(), which only sees the files primary.xml lists (/etc, bin dirs) and
 * answers "nothing provides /usr/lib64/..." for the rest. The fetcher must still be open.
 */
export async function solveWithFilelists(pool: Pool, loaded: LoadedRepo[], req: Request, opts: ResolveOptions): Promise<ResolveResult> {
  const first = resolve(pool, req, opts);
  // --skip-broken turns the problems into skipped requests: a file only filelists name counts there too
  const needFiles = first.ok
    ? first.transaction.unresolvedFileDeps.length > 0 || missingFileDep((first.transaction.skipped ?? []).flatMap((s) => s.problems))
    : missingFileDep(first.problems);
  const todo = loaded.filter((r) => r.hasFilelists && !pool.hasFilelists(r.config.id));
  if (!needFiles || todo.length === 0) return first;
  for (const r of todo) pool.addFilelists(r.config.id, await r.loadFilelists());
  return resolve(pool, req, opts);
}

/** What to try next; --nobest and --skip-broken are named when they would change the answer. */
export function unsolvableHint(opts: ResolveOptions, problems: Problem[], dump = '`rootfs-assemble resolve ... --dump-testcase FILE` writes a libsolv testcase'): string {
  const tries = ['check package names and versions, or --exclude a package'];
  const found = problems.some((p) => p.kind !== 'not-found' && p.kind !== 'only-excluded');
  if (opts.best && found) tries.push('--nobest lets a request fall back to an older version');
  if (!opts.skipBroken) tries.push('--skip-broken leaves out what cannot be installed');
  return `${tries.join('; ')}; ${dump}`;
}

export function unsolvableError(problems: Problem[], hint: string, origins?: ReadonlyMap<string, RequestOrigin>): RfsError {
  const render = (p: Problem): string => {
    const [head = '', ...chain] = renderProblem(p).split('\n');
    return [head + problemOrigin(p, origins), ...chain].join('\n     ');
  };
  const text = problems.map((p, i) => `  ${i + 1}. ${render(p)}`).join('\n');
  return new RfsError('RFS_UNSOLVABLE', `resolving dependencies: no install set satisfies the request\n${text}`, { details: problems, hint });
}

type SolveSettings = Pick<SolveInput, 'exclude' | 'weakDeps' | 'installonly' | 'best' | 'skipBroken'>;

/** The solver settings the options and the distro give, read alike by the build, `resolve` and planInstall(). */
export function solveSettings(opts: Pick<AssembleOptions, 'exclude' | 'weakDeps' | 'best' | 'skipBroken'>, distro: DistroRelease | null): SolveSettings {
  return {
    ...(opts.exclude ? { exclude: opts.exclude } : {}),
    weakDeps: opts.weakDeps ?? false,
    ...(distro?.installonly ? { installonly: distro.installonly } : {}),
    best: bestFor(opts.best, distro),
    ...(opts.skipBroken ? { skipBroken: true } : {}),
  };
}

/** The solver's request and options for an install set: one reading for the build, `resolve` and planInstall(). */
export function solverRequest(input: SolveSettings & Pick<SolveInput, 'install'>): { request: Request; opts: ResolveOptions } {
  return {
    request: { install: input.install, ...(input.exclude ? { exclude: input.exclude } : {}) },
    opts: {
      weakDeps: input.weakDeps ?? false, ...(input.installonly ? { installonly: input.installonly } : {}),
      ...(input.best ? { best: true } : {}), ...(input.skipBroken ? { skipBroken: true } : {}),
    },
  };
}

/** One warning per request --skip-broken left out, naming why (dnf's "Skipping packages with broken dependencies"). */
export function skippedWarnings(result: ResolveResult, origins?: ReadonlyMap<string, RequestOrigin>): { message: string; subject: string }[] {
  if (!result.ok) return [];
  return (result.transaction.skipped ?? []).map((s) => {
    const why = s.problems.map((p) => renderProblem(p).split('\n')[0] ?? '').join('; ');
    const own = s.problems.find((p) => 'request' in p && p.request === s.request);
    return { message: `skipping '${untrusted(s.request, 120)}' (--skip-broken): ${why}${requestOrigin(s.request, origins, own)}`, subject: untrusted(s.request, 120) };
  });
}

export async function solve(loaded: LoadedRepo[], input: Omit<SolveInput, 'repos' | 'cacheDir'>): Promise<RepoPackage[]> {
  return (await solveTransaction(loaded, input)).packages;
}

/**
 * Solve, on top of an installed system when one is given (`--from`): `packages` are then only
 * those to fetch and install, and `changes` what happens to installed ones (upgrades, erasures).
 */
export async function solveTransaction(
  loaded: LoadedRepo[],
  input: Omit<SolveInput, 'repos' | 'cacheDir'> & {
    installed?: { id: string; packages: RepoPackage[] };
    /** dnf upgrade [NAME...] of the installed packages (Request.upgrade), and where they may go */
    upgrade?: string[];
    upgradeTargets?: ReadonlySet<string>;
  },
): Promise<{ packages: RepoPackage[]; changes: InstalledChange[] }> {
  const pool = poolFor(loaded, input.arch, input.installed);
  const { request, opts } = solverRequest(input);
  if (input.upgrade) request.upgrade = input.upgrade;
  if (input.upgradeTargets) request.upgradeTargets = input.upgradeTargets;
  const result = await solveWithFilelists(pool, loaded, request, opts);
  if (!result.ok) throw unsolvableError(result.problems, unsolvableHint(opts, result.problems), input.origins);
  for (const w of skippedWarnings(result, input.origins)) input.onEvent?.({ kind: 'warning', code: 'RFS_W_SKIPPED', ...w });
  return { packages: result.transaction.packages, changes: result.transaction.changes ?? [] };
}
