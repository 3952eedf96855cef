// One query's view of the repos: openRepos (the build's selection and metadata), the solver's
// pool over them (so the same arches count), and each package's full file list on demand.
import { openRepos, type OpenedRepos } from '../assemble/plan.js';
import { poolFor } from '../assemble/solve.js';
import type { LoadedRepo } from '../metadata/load.js';
import type { Pool } from '../solver/index.js';
import type { RepoPackage } from '../types/index.js';
import type { QueryOptions } from './options.js';

export interface QuerySession {
  opened: OpenedRepos;
  pool: Pool;
  /** every package the pool holds (foreign arches and source packages left out, as the build) */
  packages: RepoPackage[];
  /** all file paths of a package: loads the repos' file lists the first time */
  files(pkg: RepoPackage): Promise<string[]>;
}

/** Run `fn` with the repos open; the fetcher is closed afterwards whatever happens. */
export async function withRepos<T>(opts: QueryOptions, fn: (s: QuerySession) => Promise<T>): Promise<T> {
  const opened = await openRepos(opts);
  try {
    const pool = poolFor(opened.loaded, opened.arch);
    const packages: RepoPackage[] = [];
    for (let id = 1; id <= pool.size; id++) packages.push(pool.pkgOf(id));
    let lists: Promise<Map<RepoPackage, string[]>> | undefined;
    const files = async (pkg: RepoPackage): Promise<string[]> => {
      lists ??= allFilelists(opened.loaded, pool);
      return (await lists).get(pkg) ?? pkg.files;
    };
    return await fn({ opened, pool, packages, files });
  } finally {
    await opened.fetcher.close();
  }
}

async function allFilelists(loaded: LoadedRepo[], pool: Pool): Promise<Map<RepoPackage, string[]>> {
  const out = new Map<RepoPackage, string[]>();
  for (const r of loaded) {
    const lists = await r.loadFilelists();
    // the pool answers /path provides from them too (download --resolve, whatProvides)
    if (r.hasFilelists) pool.addFilelists(r.config.id, lists);
    r.packages.forEach((p, i) => out.set(p, lists[i] ?? p.files));
  }
  return out;
}
