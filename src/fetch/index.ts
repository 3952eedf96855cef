export { Fetcher, defaultCacheDir, joinUrl, type FetcherOptions, type FetchBytesOptions, type FetchFileOptions, type FetchResult } from './fetcher.js';
export { ContentCache, type CacheStats } from './cache.js';
export { DEFAULT_DEADLINES, deadlinesFromEnv, type Deadlines } from './deadlines.js';
export { parseMetalink, parseMirrorlist, resolveMirrors, type MirrorSet } from './mirrors.js';
