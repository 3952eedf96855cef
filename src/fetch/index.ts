export { Fetcher, defaultCacheDir, joinUrl, type FetcherOptions, type FetchBytesOptions, type FetchFileOptions, type FetchResult } from './fetcher.js';
export { ContentCache, type CacheStats } from './cache.js';
export { DEFAULT_DEADLINES, deadlinesFromEnv, totalDeadlineMs, type Deadlines } from './deadlines.js';
// for the registry client: the same network-failure classification and messages as package fetches
export { AttemptError, checkedLocation, createDispatcher, networkError, open, shownUrl, withBasicAuth, withoutCredentials, type Opened, type TlsOptions } from './transport.js';
export { request as undiciRequest } from './undici.js';
export { parseMetalink, parseMirrorlist, resolveMirrors, type MirrorSet } from './mirrors.js';
