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
export { writeRpmdb, writeRpmdbBlobs, buildHeaderBlob, pubkeyHeaderBlob, readRpmdb, readRpmdbEntries, eraOf, FILE_STATE } from './rpmdb/index.js';
export type { RpmdbInput, RpmdbPackage, RpmdbFile, WriteRpmdbOptions, Era } from './rpmdb/index.js';
