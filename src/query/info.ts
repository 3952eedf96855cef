// dnf info: the newest package per name.arch matching the specs (all packages without specs).
import { latestPerNameArch, matchSpecs } from './match.js';
import { queryPackage, type QueryOptions, type QueryPackage } from './options.js';
import { byNevra } from './repoquery.js';
import { withRepos } from './session.js';

export interface PackageInfoOptions extends QueryOptions {
  /** name globs, name.arch, NEVRA forms, file paths; none = every package */
  packages?: string[];
  /** every version, not only the newest per name.arch (dnf's --showduplicates) */
  showduplicates?: boolean;
}

export async function packageInfo(opts: PackageInfoOptions): Promise<QueryPackage[]> {
  return withRepos(opts, async (s) => {
    const hits = opts.packages?.length ? await matchSpecs(s.packages, opts.packages, s.files) : s.packages;
    return (opts.showduplicates ? [...hits] : latestPerNameArch(hits)).sort(byNevra).map(queryPackage);
  });
}
