// --lockfile / --locked: the exact package set, rebuilt without solving.
import { RfsError } from '../errors/index.js';
import type { LoadedRepo } from '../metadata/index.js';
import type { RepoPackage } from '../types/index.js';
import type { LockedPackage } from './output/index.js';

/** Mirror base URLs to try for a package, in order (an absolute xml:base wins). */
export function packageUrls(p: RepoPackage, repo: LoadedRepo | undefined): string[] {
  if (p.locationBase) return [p.locationBase.endsWith('/') ? p.locationBase : `${p.locationBase}/`];
  return repo?.baseUrls ?? [];
}

export function lockEntry(p: RepoPackage, repo: LoadedRepo | undefined): LockedPackage {
  const base = packageUrls(p, repo)[0] ?? '';
  return {
    name: p.name, epoch: p.epoch, version: p.version, release: p.release, arch: p.arch,
    repo: p.repo, url: new URL(p.location, base || 'file:///').toString(), checksum: p.checksum,
  };
}

/** Find each locked package in the loaded repos by NEVRA and checksum. */
export function lockedPackages(entries: LockedPackage[], repos: LoadedRepo[]): RepoPackage[] {
  const index = new Map<string, RepoPackage>();
  for (const r of repos) for (const p of r.packages) index.set(`${p.name}-${p.epoch}:${p.version}-${p.release}.${p.arch}|${p.checksum.value}`, p);
  return entries.map((e) => {
    const p = index.get(`${e.name}-${e.epoch}:${e.version}-${e.release}.${e.arch}|${e.checksum.value}`);
    if (!p) {
      throw new RfsError('RFS_UNSOLVABLE', `reading the lockfile: ${e.name}-${e.version}-${e.release}.${e.arch} is not in the enabled repos with the locked checksum`, {
        subject: e.url,
        hint: 'the mirror changed since the lockfile was written; rebuild without --locked to refresh it',
      });
    }
    return p;
  });
}
