// The build's first half as its own call: choose repos, load their metadata, read the request
// and solve it. The build, `resolve`, planInstall() and the query commands all start here, so
// what resolve prints is what the build installs.
import { defaultCacheDir, Fetcher } from '../fetch/fetcher.js';
import type { LoadedRepo } from '../metadata/load.js';
import { applyRepoOptions } from '../repos/options.js';
import { nevraOf, type Pool, type Request, type ResolveOptions, type ResolveResult } from '../solver/index.js';
import type { DistroRelease, PackageRef, RepoConfig, RepoPackage } from '../types/index.js';
import type { AssembleOptions } from './options.js';
import { resolveRequest, targetArch, type InstallRequest } from './request.js';
import { checkModuleArgs, repoSetoptsOf, withMainSetopts } from './dnf-options.js';
import { loadRepos, poolFor, skippedWarnings, solveSettings, solveWithFilelists, solverRequest, unsolvableError, unsolvableHint } from './solve.js';

/** The options that choose the repos: the build's names. */
export type RepoSelection = Pick<AssembleOptions,
  'distro' | 'arch' | 'releasever' | 'mirror' | 'repofrompath' | 'repoFiles' | 'enablerepo' | 'disablerepo' | 'gpgkeys' | 'reposDir' | 'setopt'>;

/** The options planInstall() reads: the build's names, with the same meaning and defaults. */
export type PlanOptions = RepoSelection & Pick<AssembleOptions,
  'packages' | 'noDefaultPackages' | 'profiles' | 'exclude' | 'weakDeps' | 'best' | 'skipBroken' | 'modules' | 'cacheDir' | 'jobs' | 'signal' | 'onEvent'>;

export interface SelectedRepos {
  distro: DistroRelease | null;
  arch: string;
  repos: RepoConfig[];
}

/** The distro definition, target arch and enabled repos the options name (no network). */
export async function selectRepos(opts: RepoSelection): Promise<SelectedRepos> {
  // loaded on demand: repos/load pulls in the YAML parser
  const { loadDistro } = await import('../repos/load.js');
  const distro = opts.distro
    ? loadDistro(opts.distro, { ...(opts.arch ? { arch: opts.arch } : {}), ...(opts.releasever ? { releasever: opts.releasever } : {}), ...(opts.reposDir ? { reposDir: opts.reposDir } : {}) })
    : null;
  const repos = applyRepoOptions(distro, {
    ...(opts.mirror ? { mirror: opts.mirror } : {}),
    ...(opts.repofrompath ? { repofrompath: opts.repofrompath } : {}),
    ...(opts.repoFiles ? { repoFiles: opts.repoFiles } : {}),
    ...(opts.enablerepo ? { enablerepo: opts.enablerepo } : {}),
    ...(opts.disablerepo ? { disablerepo: opts.disablerepo } : {}),
    ...(opts.gpgkeys ? { gpgkeys: opts.gpgkeys } : {}),
    ...repoSetoptsOf(opts.setopt),
  });
  return { distro, arch: targetArch(opts.arch, distro), repos };
}

export interface OpenedRepos extends SelectedRepos {
  loaded: LoadedRepo[];
  /** still open: file lists and packages are fetched through it; close() when done */
  fetcher: Fetcher;
  cacheDir: string;
}

/** selectRepos, then each repo's metadata (modular filtering applied). Call fetcher.close() after. */
export async function openRepos(opts: RepoSelection & Pick<AssembleOptions, 'cacheDir' | 'jobs' | 'signal' | 'onEvent' | 'modules'>): Promise<OpenedRepos> {
  if (opts.modules) checkModuleArgs(opts.modules);
  const sel = await selectRepos(opts);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const fetcher = new Fetcher({ cacheDir, ...(opts.jobs ? { jobs: opts.jobs } : {}), ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}) });
  try {
    const loaded = await loadRepos(sel.repos, fetcher, { arch: sel.arch, cacheDir, ...(opts.modules ? { modules: opts.modules } : {}), ...(opts.onEvent ? { onEvent: opts.onEvent } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
    return { ...sel, loaded, fetcher, cacheDir };
  } catch (err) {
    await fetcher.close();
    throw err;
  }
}

export interface PlannedPackage extends PackageRef {
  /** why it is installed: 'requested: bash', 'required', 'recommended', ... (the solver's words) */
  reason: string;
  /** bytes to download, and installed */
  downloadSize: number;
  installedSize: number;
}

export interface InstallPlan {
  /** the distro ref as the definition names it, or null for repos given without one */
  distro: string | null;
  arch: string;
  /** the request as the build reads it: the default set, profiles' packages, then the arguments */
  install: string[];
  /** in the solver's order (the order `resolve` prints), not rpm's install order */
  packages: PlannedPackage[];
  repos: { id: string; packages: number }[];
}

/** Everything planInstall works out, for callers that also want the pool (resolve --dump-testcase). */
export interface SolvedPlan {
  plan: InstallPlan;
  request: InstallRequest;
  pool: Pool;
  solverRequest: Request;
  solverOptions: ResolveOptions;
  result: ResolveResult;
}

/** Solve without throwing on an unsolvable request: `result.ok` says. */
export async function solvePlan(given: PlanOptions): Promise<SolvedPlan> {
  const opts = withMainSetopts(given);
  const opened = await openRepos(opts);
  try {
    const { distro, arch, loaded } = opened;
    const request = resolveRequest(opts, distro);
    const { request: solverReq, opts: solverOptions } = solverRequest({ install: request.install, ...solveSettings(opts, distro) });
    const pool = poolFor(loaded, arch);
    // the fetcher stays open while solving: file lists are fetched only if a file dependency needs them
    const result = await solveWithFilelists(pool, loaded, solverReq, solverOptions);
    const packages = result.ok ? result.transaction.packages.map((p) => planned(p, result.transaction.reasons.get(p) ?? 'required')) : [];
    const plan: InstallPlan = {
      distro: distro ? `${distro.distro}:${distro.release}` : null,
      arch,
      install: request.install,
      packages,
      repos: loaded.map((r) => ({ id: r.config.id, packages: r.packages.length })),
    };
    for (const w of skippedWarnings(result, request.origins)) opts.onEvent?.({ kind: 'warning', code: 'RFS_W_SKIPPED', ...w });
    return { plan, request, pool, solverRequest: solverReq, solverOptions, result };
  } finally {
    await opened.fetcher.close();
  }
}

/**
 * The packages a build with the same options would install, with their repos and why, without
 * downloading any package. Throws RFS_UNSOLVABLE (naming where each failed request came from).
 */
export async function planInstall(opts: PlanOptions): Promise<InstallPlan> {
  const s = await solvePlan(opts);
  if (!s.result.ok) throw unsolvableError(s.result.problems, unsolvableHint(s.solverOptions, s.result.problems), s.request.origins);
  return s.plan;
}

function planned(p: RepoPackage, reason: string): PlannedPackage {
  return {
    name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, nevra: nevraOf(p), repo: p.repo, reason,
    downloadSize: p.packageSize, installedSize: p.installedSize,
  };
}
