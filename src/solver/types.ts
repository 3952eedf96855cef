import type { Dep } from '../types/deps.js';
import type { CompsEnvironment, CompsGroup, RepoPackage } from '../types/package.js';

/** One repository as the solver sees it. priority: lower wins (dnf); cost: lower wins on ties. */
export interface PoolRepo {
  id: string;
  priority: number;
  cost: number;
  packages: RepoPackage[];
  groups?: CompsGroup[];
  environments?: CompsEnvironment[];
  /** full file lists (index = position in `packages`), when already loaded */
  filelists?: string[][];
  /** name indexes over the metadata the packages come from, so the pool need not build its own */
  index?: PackageIndex;
  /**
   * the installed system (libsolv's `system ... installed` repo, e.g. a base image's rpmdb):
   * its packages stay unless replaced, are never fetched, and are kept whatever their arch
   */
  installed?: boolean;
}

/**
 * Provides and obsoletes by name over a repo's metadata records (metadata's StoreIndex).
 * Entries are (record, position) pairs: position indexes pkg.provides / pkg.obsoletes, or is
 * -1 for the implicit self-provide of a package that lacks one, -2 for a primary file path.
 */
export interface PackageIndex {
  readonly records: number;
  /** the record of a package, -1 when it is not one of the indexed records */
  recordOf(pkg: RepoPackage): number;
  provides(name: string): Int32Array | undefined;
  obsoletes(name: string): Int32Array | undefined;
  /** (record, 0) pairs of the packages called `name` */
  named(name: string): Int32Array | undefined;
  /** the provide at a position (as pkg.provides[position], without reading the whole list) */
  provide(record: number, position: number): Dep;
}

export interface PoolOptions {
  /** host architecture; '' or 'unset' disables arch filtering (libsolv testcases) */
  arch: string;
}

/**
 * A request: install strings (name, name.arch, name-ver(-rel), "name >= 1.2", /path, @group,
 * provide) and exclude globs (matched against name, name.arch and NEVRA).
 */
export interface Request {
  install: string[];
  exclude?: string[];
  /**
   * dnf upgrade [NAME...] on an installed system: bring the installed packages with these names
   * (globs; an empty list: all of them) to their best update, keeping those that have none
   */
  upgrade?: string[];
  /** with upgrade: the only packages they may move to, as NEVRAs (dnf upgrade --security: those its advisories name) */
  upgradeTargets?: ReadonlySet<string>;
}

export interface ResolveOptions {
  /** honour Recommends/Supplements (default false, as images want) */
  weakDeps?: boolean;
  /** names that may be installed in several versions (default: dnf's installonlypkgs) */
  installonly?: string[];
  /** dnf best=True (libsolv SOLVER_FORCEBEST): a request takes its best candidate or fails, never an older one */
  best?: boolean;
  /** dnf skip_broken / strict=False (libsolv SOLVER_WEAK jobs): leave out requests that cannot be installed */
  skipBroken?: boolean;
  /**
   * dnf --allowerasing (libsolv allowuninstall): installed packages may be removed when the
   * request cannot be met otherwise; without it they stay or are replaced by an update
   */
  allowErasing?: boolean;
}

/** A request left out under skipBroken, and why. */
export interface SkippedRequest {
  request: string;
  problems: Problem[];
}

export interface Transaction {
  /** sorted by name, then arch */
  packages: RepoPackage[];
  /** why each package is there: "requested" or "X requires dep" */
  reasons: Map<RepoPackage, string>;
  /**
   * file dependencies of considered packages that nothing provided with the file lists loaded
   * so far: when non-empty and full filelists exist, load them and resolve again, so a
   * candidate is never passed over only for want of a file list (dnf always has them)
   */
  unresolvedFileDeps: string[];
  /** requests left out (skipBroken only), in request order */
  skipped?: SkippedRequest[];
  /**
   * with an installed repo in the pool: what happens to its packages (`packages` then lists
   * only the packages to fetch and install, the new versions of upgrades among them)
   */
  changes?: InstalledChange[];
}

/** An installed package the transaction replaces or removes. */
export type InstalledChange =
  | { kind: 'upgrade' | 'downgrade' | 'reinstall' | 'obsolete'; from: RepoPackage; to: RepoPackage }
  | { kind: 'erase'; from: RepoPackage };

export type ResolveResult = { ok: true; transaction: Transaction } | { ok: false; problems: Problem[] };

/**
 * Structured reasons why a request cannot be satisfied; `chain` leads from the request to the
 * failure; `installed` names those of the packages that belong to the installed system.
 */
export type Problem =
  | { kind: 'not-found'; request: string; chain: string[] }
  | { kind: 'only-excluded'; request: string; excluded: string[]; chain: string[] }
  | { kind: 'nothing-provides'; dep: string; neededBy: string; chain: string[]; installed?: string[]; /** other versions of the same package failing on the same name */ alsoFailing?: string[] }
  | { kind: 'excluded-provider'; dep: string; neededBy: string; excluded: string[]; chain: string[] }
  | { kind: 'conflicts'; pkg: string; other: string; dep: string; chain: string[]; installed?: string[] }
  | { kind: 'obsoletes'; pkg: string; other: string; dep: string; chain: string[]; installed?: string[] }
  | { kind: 'both-obsolete'; pkg: string; other: string; chain: string[] }
  | { kind: 'same-name'; pkg: string; other: string; chain: string[]; installed?: string[] }
  | { kind: 'requires-uninstallable'; pkg: string; dep: string; providers: string[]; chain: string[]; installed?: string[] }
  | { kind: 'request-uninstallable'; request: string; candidates: string[]; chain: string[] };

/** dnf's default installonlypkgs (dnf/const.py INSTALLONLYPKGS) */
export const DEFAULT_INSTALLONLY = [
  'kernel', 'kernel-PAE', 'installonlypkg(kernel)', 'installonlypkg(kernel-module)',
  'installonlypkg(vm)', 'multiversion(kernel)',
];
