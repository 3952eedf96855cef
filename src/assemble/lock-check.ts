// --locked against a version 2 lockfile: the invocation must ask for what the lock was made for
// (checked before any download), and a repo whose metadata changed since is worth a warning.
import { RfsError, untrusted } from '../errors/index.js';
import type { LoadedRepo } from '../metadata/index.js';
import { knownDistroTag } from '../repos/index.js';
import type { DistroRelease } from '../types/index.js';
import { normalRequest } from './output/index.js';
import type { LockContext, LockedDistro, Lockfile, LockedRepo, LockedRequest } from './output/index.js';
import type { AssembleOptions } from './options.js';
import { bestFor } from './dnf-options.js';
import { parseSetopts } from '../repos/setopt.js';

/** What this invocation asks for, in the lockfile's terms (repos come after loading). */
export function invocationContext(opts: AssembleOptions, distro: DistroRelease | null, arch: string): Omit<LockContext, 'repos'> {
  const locked: LockedDistro | null = distro && opts.distro
    ? { ref: opts.distro, tag: knownDistroTag(opts.distro, opts.reposDir) ?? opts.distro, id: distro.distro, release: distro.release, releasever: distro.releasever }
    : null;
  const request: LockedRequest = normalRequest({
    packages: opts.packages ?? [], exclude: opts.exclude ?? [], profiles: opts.profiles ?? [],
    noDefaultPackages: opts.noDefaultPackages ?? false, weakDeps: opts.weakDeps ?? false,
    best: bestFor(opts.best, distro), skipBroken: opts.skipBroken ?? false, modules: opts.modules ?? [],
    setopt: parseSetopts(opts.setopt ?? []).repo.map((s) => s.text),
  });
  return { distro: locked, arch, request };
}

export function lockedRepos(loaded: LoadedRepo[]): LockedRepo[] {
  return loaded.map((r) => ({
    id: r.config.id, baseurl: r.baseUrls[0] ?? '',
    repomd: { checksum: r.repomdChecksum, revision: r.revision }, primary: { checksum: r.primaryChecksum },
  }));
}

const t = (s: string): string => untrusted(s, 200);
const distroText = (d: LockedDistro | null): string => (d ? t(d.tag) : 'no distro');
const list = (xs: string[]): string => (xs.length ? xs.map(t).join(' ') : 'none');

/** Each way the invocation differs from the lock, as a phrase. */
function differences(lock: Omit<LockContext, 'repos'>, now: Omit<LockContext, 'repos'>): string[] {
  const out: string[] = [];
  const a = lock.distro;
  const b = now.distro;
  if (distroText(a) !== distroText(b)) out.push(`distro: lock ${distroText(a)}, this build ${distroText(b)}`);
  else if (a && b && a.releasever !== b.releasever) out.push(`releasever: lock ${t(a.releasever)}, this build ${t(b.releasever)}`);
  if (lock.arch !== now.arch) out.push(`arch: lock ${t(lock.arch)}, this build ${t(now.arch)}`);
  const lr = normalRequest(lock.request);
  const nr = now.request;
  if (list(lr.packages) !== list(nr.packages)) out.push(`packages: lock ${list(lr.packages)}, this build ${list(nr.packages)}`);
  if (list(lr.exclude) !== list(nr.exclude)) out.push(`--exclude: lock ${list(lr.exclude)}, this build ${list(nr.exclude)}`);
  if (list(lr.profiles) !== list(nr.profiles)) out.push(`--profile: lock ${list(lr.profiles)}, this build ${list(nr.profiles)}`);
  if (lr.noDefaultPackages !== nr.noDefaultPackages) out.push(`--no-default-packages: lock ${lr.noDefaultPackages ? 'given' : 'not given'}, this build ${nr.noDefaultPackages ? 'given' : 'not given'}`);
  if (lr.weakDeps !== nr.weakDeps) out.push(`weak deps: lock ${lr.weakDeps ? 'on' : 'off'}, this build ${nr.weakDeps ? 'on' : 'off'}`);
  // a lock from before these were recorded has no best; its other new fields read as their defaults
  if (lr.best !== undefined && lr.best !== nr.best) out.push(`best: lock ${lr.best ? '--best' : '--nobest'}, this build ${nr.best ? '--best' : '--nobest'}`);
  if (lr.skipBroken !== nr.skipBroken) out.push(`--skip-broken: lock ${lr.skipBroken ? 'given' : 'not given'}, this build ${nr.skipBroken ? 'given' : 'not given'}`);
  if (list(lr.modules ?? []) !== list(nr.modules ?? [])) out.push(`--module: lock ${list(lr.modules ?? [])}, this build ${list(nr.modules ?? [])}`);
  if (list(lr.setopt ?? []) !== list(nr.setopt ?? [])) out.push(`repo --setopt: lock ${list(lr.setopt ?? [])}, this build ${list(nr.setopt ?? [])}`);
  return out;
}

/**
 * Refuse an invocation the lock was not made for. A version 1 lock records no request: names and
 * excludes are refused outright there, as they always were.
 */
export function checkLockMatches(lock: Lockfile, now: Omit<LockContext, 'repos'>, path: string): void {
  if (!lock.context) {
    if (now.request.packages.length || now.request.exclude.length) {
      throw new RfsError('RFS_USAGE', '--locked rebuilds exactly the lockfile\'s packages: drop the package names and --exclude (or rebuild the lockfile)', { subject: path });
    }
    return;
  }
  const diffs = differences(lock.context, now);
  if (diffs.length === 0) return;
  throw new RfsError('RFS_USAGE',
    `--locked: the lock was made for ${distroText(lock.context.distro)} ${t(lock.context.arch)}, this build is ${distroText(now.distro)} ${t(now.arch)}: ${diffs.join('; ')}`, {
      subject: path,
      hint: 'run the command the lock was made with (its distro, arch, packages and options) plus --locked, or rebuild without --locked to refresh the lock',
    });
}

/** Warnings for repos whose metadata is not what the lock saw (the mirror moved on, or the repo set changed). */
export function repoDrift(lock: Lockfile, loaded: LoadedRepo[]): string[] {
  if (!lock.context) return [];
  const now = new Map(loaded.map((r) => [r.config.id, r]));
  const out: string[] = [];
  for (const r of lock.context.repos) {
    const cur = now.get(r.id);
    if (!cur) { out.push(`repo ${t(r.id)} of the lock is not enabled in this build`); continue; }
    if (cur.repomdChecksum.value !== r.repomd.checksum.value) {
      out.push(`repo ${t(r.id)}: its metadata changed since the lock was written (revision ${t(r.repomd.revision)}, now ${untrusted(cur.revision, 80)}): the mirror moved; the locked packages are looked up by checksum`);
    }
  }
  return out;
}
