// Layer 6: dnf's query commands as library calls, on the build's repo selection (assemble/plan).
export { repoquery, type RepoqueryOptions, type RepoqueryResult } from './repoquery.js';
export { searchPackages, type SearchOptions, type SearchMatch } from './search.js';
export { packageInfo, type PackageInfoOptions } from './info.js';
export { whatProvides, type WhatProvidesOptions, type ProvideMatch } from './provides.js';
export { downloadPackages, type DownloadOptions, type DownloadedPackage } from './download.js';
export { compileQueryFormat, DEFAULT_QUERYFORMAT, QUERY_TAGS } from './queryformat.js';
export { DEP_KINDS, type DepKind, type QueryOptions, type QueryPackage } from './options.js';
