export { Fetcher, defaultCacheDir, joinUrl, type FetcherOptions, type FetchFileOptions, type FetchResult } from './fetcher.js';
export { ContentCache, type CacheStats } from './cache.js';
export { parseMetalink, parseMirrorlist, resolveMirrors, type MirrorSet } from './mirrors.js';
