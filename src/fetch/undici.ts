// undici, only the parts a build uses. The package's index requires all of undici (fetch,
// websocket, cache, mock: ~110 modules, ~100 ms of a small build); a GET through the proxy-aware
// agent needs 37 of them (~40 ms). undici has no "exports" map, so these files are reachable; the
// version is pinned exactly in package.json and test/fetch/undici-parts.test.ts checks that they
// are there and that `request` sends what undici's own does.
import { createRequire } from 'node:module';
import type { Dispatcher } from 'undici';

type EnvHttpProxyAgentClass = typeof import('undici').EnvHttpProxyAgent;
export type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'method'> & { method: Dispatcher.HttpMethod; dispatcher: Dispatcher };

interface Parts {
  EnvHttpProxyAgent: EnvHttpProxyAgentClass;
  parseURL: (url: string) => URL;
}

let parts: Parts | undefined;

/** Loaded on first HTTP use: file:// and cache-only runs skip it altogether. */
export function undiciParts(): Parts {
  if (parts) return parts;
  const require = createRequire(import.meta.url);
  // what undici's index.js does first: the API (request, and connect for a proxy's CONNECT) on every dispatcher
  const dispatcher = require('undici/lib/dispatcher/dispatcher') as { prototype: object };
  Object.assign(dispatcher.prototype, require('undici/lib/api') as object);
  parts = {
    EnvHttpProxyAgent: require('undici/lib/dispatcher/env-http-proxy-agent') as EnvHttpProxyAgentClass,
    parseURL: (require('undici/lib/core/util') as { parseURL: (url: string) => URL }).parseURL,
  };
  return parts;
}

/** undici's top-level request(url, opts): the URL split into origin and path as its index does. */
export function request(url: string, opts: RequestOptions): Promise<Dispatcher.ResponseData> {
  const u = undiciParts().parseURL(url);
  const { dispatcher, ...rest } = opts;
  return dispatcher.request({ ...rest, origin: u.origin, path: u.search ? `${u.pathname}${u.search}` : u.pathname });
}
