// What every query takes and returns: the build's repo selection, and packages as plain data.
import type { AssembleOptions } from '../assemble/options.js';
import type { RepoSelection } from '../assemble/plan.js';
import type { Dep, PackageRef, RepoPackage } from '../types/index.js';
import { nevraOf } from '../solver/index.js';
import { formatDep } from '../version/index.js';

/** The repos to query, chosen as the build chooses them (the build's option names). */
export type QueryOptions = RepoSelection & Pick<AssembleOptions, 'modules' | 'cacheDir' | 'jobs' | 'signal' | 'onEvent'>;

export type DepKind = 'provides' | 'requires' | 'conflicts' | 'obsoletes' | 'recommends' | 'suggests' | 'supplements' | 'enhances';
export const DEP_KINDS: readonly DepKind[] = ['provides', 'requires', 'conflicts', 'obsoletes', 'recommends', 'suggests', 'supplements', 'enhances'];

/** A package as the repo metadata describes it; dependency lists as dnf prints them (`glibc >= 2.17`). */
export interface QueryPackage extends PackageRef, Record<DepKind, string[]> {
  summary: string;
  sourcerpm: string;
  license: string;
  vendor: string;
  group: string;
  /** seconds since the epoch */
  buildtime: number;
  downloadSize: number;
  installedSize: number;
  /** location href inside the repo */
  location: string;
}

const depStrings = (deps: Dep[]): string[] => deps.map(formatDep);

/** The data view of a metadata record; dependency strings are made when first read. */
export function queryPackage(p: RepoPackage): QueryPackage {
  const out = {
    name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch, nevra: nevraOf(p), repo: p.repo,
    summary: p.summary, sourcerpm: p.sourcerpm, license: p.license, vendor: p.vendor, group: p.group, buildtime: p.buildtime,
    downloadSize: p.packageSize, installedSize: p.installedSize, location: p.location,
  } as QueryPackage;
  for (const k of DEP_KINDS) {
    let cached: string[] | undefined;
    Object.defineProperty(out, k, { enumerable: true, get: () => (cached ??= depStrings(p[k])) });
  }
  return out;
}
