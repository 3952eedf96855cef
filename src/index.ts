// Public library API. Never imports src/cli.
export * from './types/index.js';
export * from './errors/index.js';
export * from './rpm/index.js';
export { decompress, sniffCodec } from './decompress/index.js';
export type { Codec, DecompressOptions } from './decompress/index.js';
export { listDistros, loadDistro, applyRepoOptions, parseRepoFile, keyFilePath, baseArch } from './repos/index.js';
export type { RepoOptions } from './repos/index.js';
export { Fetcher, defaultCacheDir } from './fetch/index.js';
export type { FetcherOptions, FetchResult } from './fetch/index.js';
export { loadRepo, filterModular } from './metadata/index.js';
export type { LoadedRepo, LoadRepoOptions, MetadataFetcher } from './metadata/index.js';
export { writeRpmdb, writeRpmdbBlobs, buildHeaderBlob, pubkeyHeaderBlob, readRpmdb, readRpmdbEntries, eraOf, transactionColor, FILE_STATE } from './rpmdb/index.js';
export type { RpmdbInput, RpmdbPackage, RpmdbFile, WriteRpmdbOptions, Era } from './rpmdb/index.js';
export { assemble } from './assemble/assemble.js';
export type { AssembleOptions, AssembleResult, OutputFormatName } from './assemble/options.js';
export { checkOutputTarget, readLockfile, LOCKFILE_VERSION } from './assemble/output/index.js';
export type { Lockfile, LockedPackage, LockContext, LockedDistro, LockedRepo, LockedRequest } from './assemble/output/index.js';
export { emulateScriptlets, detectUserns } from './scriptlets/index.js';
export type { ScriptletPackage, ScriptletReport, EmulateOptions } from './scriptlets/index.js';
export type { ImageFS, ImageStat } from './types/imagefs.js';
export { finishImage } from './assemble/finish/index.js';
export type { FinishOptions, FinishReport } from './assemble/finish/index.js';
export { loadProfiles, applyProfileFiles, listProfiles } from './assemble/finish/profiles.js';
export type { ResolvedProfile, ProfileFile } from './assemble/finish/profiles.js';
export { parseImageSpec } from './assemble/spec/index.js';
export type { ImageSpec } from './assemble/spec/index.js';
export { rpmvercmp, parseEvr, compareEvr, formatEvr, depMatches, formatDep } from './version/index.js';
export {
  createPool, Pool, resolve, resolveJobs, nevraOf, renderProblem, installOrder, writeTestcase, DEFAULT_INSTALLONLY,
  type PoolRepo, type PoolOptions, type Request, type ResolveOptions, type ResolveResult, type Transaction, type Problem,
  type InstalledChange,
} from './solver/index.js';
export { planInstall, selectRepos, openRepos } from './assemble/plan.js';
export { loadRepos, poolFor, solveWithFilelists, solverRequest, type LoadReposOptions } from './assemble/solve.js';
export type { PlanOptions, InstallPlan, PlannedPackage, RepoSelection, SelectedRepos, OpenedRepos } from './assemble/plan.js';
export {
  repoquery, searchPackages, packageInfo, whatProvides, downloadPackages, compileQueryFormat, DEFAULT_QUERYFORMAT, QUERY_TAGS, DEP_KINDS,
} from './query/index.js';
export type {
  QueryOptions, QueryPackage, DepKind, RepoqueryOptions, RepoqueryResult, SearchOptions, SearchMatch, PackageInfoOptions,
  WhatProvidesOptions, ProvideMatch, DownloadOptions, DownloadedPackage,
} from './query/index.js';
