// dnf download: the newest package per name.arch for each spec (dnf's latest_per_arch_by_priority),
// with --resolve also what each needs on an empty system; fetched and checksum-verified through
// the build's Fetcher, signature-checked by the build's GpgChecker, then written into destdir
// under a temporary name and renamed, so no partial .rpm is ever there.
import { copyFile } from 'node:fs/promises';
import { basename, join, resolve as resolvePath } from 'node:path';
import { GpgChecker, type PackageSignature } from '../assemble/gpg.js';
import { packageUrls } from '../assemble/locked.js';
import { atomicFile } from '../assemble/output/atomic.js';
import { solverRequest, solveWithFilelists, unsolvableError } from '../assemble/solve.js';
import { RfsError, isRfsError, toRfsError, untrusted } from '../errors/index.js';
import { expandRequest } from '../solver/jobs.js';
import { nevraOf } from '../solver/index.js';
import type { RepoPackage } from '../types/index.js';
import type { QueryOptions } from './options.js';
import { latestPerNameArch } from './match.js';
import { byNevra } from './repoquery.js';
import { withRepos, type QuerySession } from './session.js';

export interface DownloadOptions extends QueryOptions {
  /** specs as the build reads them: name, name.arch, NEVRA, provide, /file */
  packages: string[];
  /** where the .rpm files go (default: the current directory) */
  destdir?: string;
  /** also download their dependencies, as an install on an empty system needs them */
  resolve?: boolean;
  /** false = --nogpgcheck; otherwise each repo's gpgcheck decides, as in the build */
  gpgcheck?: boolean;
  /** where the distro definitions and their keys live (default: the package's repos/) */
  reposDir?: string;
}

export interface DownloadedPackage {
  nevra: string;
  repo: string;
  path: string;
  bytes: number;
  signature: PackageSignature;
}

export async function downloadPackages(opts: DownloadOptions): Promise<DownloadedPackage[]> {
  const destdir = resolvePath(opts.destdir ?? '.');
  return withRepos(opts, async (s) => {
    const chosen = select(s, opts.packages);
    const all = opts.resolve ? await withDependencies(s, chosen) : chosen;
    const byRepo = new Map(s.opened.loaded.map((r) => [r.config.id, r]));
    const gpg = new GpgChecker(byRepo, {
      nogpgcheck: opts.gpgcheck === false, extraKeys: opts.gpgkeys ?? [], fromPath: new Set((opts.repofrompath ?? []).map(([id]) => id)),
    }, s.opened.fetcher, opts.reposDir);
    // the file name comes from the mirror's href: a plain *.rpm name, checked before any transfer
    for (const p of all) fileName(p);
    // the first failure stops the other transfers, as in the build
    return Promise.all(all.sort(byNevra).map(async (p) => {
      const repo = byRepo.get(p.repo);
      const got = await s.opened.fetcher.fetchFile(packageUrls(p, repo), p.location, p.checksum, {
        size: p.packageSize, ...(p.locationBase && repo?.baseUrls[0] ? { origin: repo.baseUrls[0] } : {}),
      });
      const nevra = nevraOf(p);
      const signature = await gpg.check(got.path, p.repo, nevra);
      const path = join(destdir, fileName(p));
      await atomicFile(path, (tmp) => copyFile(got.path, tmp), opts.signal).catch((err: unknown) => {
        if (isRfsError(err)) throw err;
        throw new RfsError('RFS_OUTPUT', `writing ${untrusted(path, 300)}: ${err instanceof Error ? err.message : String(err)}`, {
          subject: path, cause: err, hint: '--destdir names a writable directory',
        });
      });
      return { nevra, repo: p.repo, path, bytes: got.bytes, signature };
    })).catch((err: unknown) => {
      const e = toRfsError(err);
      s.opened.fetcher.abort(e);
      throw e;
    });
  });
}

/** Per spec, the newest of each name.arch among its candidates (best repo priority first). */
function select(s: QuerySession, specs: string[]): RepoPackage[] {
  const { jobs, problems } = expandRequest(s.pool, specs, new Uint8Array(s.pool.size + 1));
  if (problems.length) throw unsolvableError(problems, 'check the package names (rootfs-assemble search WORD, repoquery)');
  const out = new Map<string, RepoPackage>();
  for (const job of jobs) {
    const prio = new Map(job.candidates.map((id) => s.pool.solvable(id)).map((sv) => [sv.pkg, sv.priority]));
    // the same NEVRA from two repos of one priority is one file: the first is taken
    for (const p of latestPerNameArch([...prio.keys()], (q) => prio.get(q) ?? 0)) if (!out.has(nevraOf(p))) out.set(nevraOf(p), p);
  }
  return [...out.values()];
}

/** dnf download --resolve: each package's install set on an empty system, unioned. */
async function withDependencies(s: QuerySession, pkgs: RepoPackage[]): Promise<RepoPackage[]> {
  const out = new Set(pkgs);
  for (const p of pkgs) {
    const { request, opts } = solverRequest({ install: [nevraOf(p)] });
    const r = await solveWithFilelists(s.pool, s.opened.loaded, request, opts);
    if (!r.ok) throw unsolvableError(r.problems, 'download without --resolve fetches the packages alone');
    for (const q of r.transaction.packages) out.add(q);
  }
  return [...out];
}

/** The name a package is written under in --destdir: its href's last part, a plain NAME.rpm. */
function fileName(p: RepoPackage): string {
  const name = basename(p.location);
  if (!/^[^./][^/]*\.rpm$/.test(name)) {
    throw new RfsError('RFS_METADATA_MALFORMED', `download: package ${untrusted(nevraOf(p), 200)} has the location ${untrusted(p.location, 300)}, whose file name is no plain NAME.rpm`, {
      subject: untrusted(p.location, 300), hint: 'the repo metadata is malformed or hostile; nothing was written',
    });
  }
  return name;
}
