export { Fetcher, defaultCacheDir, joinUrl, type FetcherOptions, type FetchResult } from './fetcher.js';
export { ContentCache } from './cache.js';
export { parseMetalink, parseMirrorlist, resolveMirrors, type MirrorSet } from './mirrors.js';
