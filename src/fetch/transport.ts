// One GET: http(s) through undici (a pool per origin, proxies from the environment) or file://.
import { createReadStream, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { RfsError } from '../errors/index.js';

export interface Opened {
  body: AsyncIterable<Uint8Array>;
  /** Content-Length or file size, when known */
  size: number | undefined;
  /** release the connection without reading the rest */
  cancel(): void;
}

/** An RfsError plus whether trying again (or another mirror) could help. */
export class AttemptError extends Error {
  constructor(readonly error: RfsError, readonly retryable: boolean) {
    super(error.message);
  }
}

// undici is loaded on first HTTP use: file:// and cache-only runs skip its ~100 ms of start-up.
let undici: Promise<typeof import('undici')> | undefined;
function loadUndici(): Promise<typeof import('undici')> {
  undici ??= import('undici');
  return undici;
}

export async function createDispatcher(connections: number): Promise<Dispatcher> {
  const { EnvHttpProxyAgent, interceptors } = await loadUndici();
  // EnvHttpProxyAgent reads HTTP_PROXY/HTTPS_PROXY/NO_PROXY; each origin gets its own pool.
  return new EnvHttpProxyAgent({ connections, keepAliveTimeout: 10_000 }).compose(interceptors.redirect({ maxRedirections: 5 }));
}

const STATUS_HINT: Record<number, string> = {
  401: 'the server wants credentials; put them in the URL (user:pass@host) or use a mirror',
  403: 'the server refused access; is this a subscription-only tree?',
  404: 'is the release/arch right? is the mirror a vault (EOL releases move to vault.centos.org)?',
};

export async function open(url: string, opts: { dispatcher: () => Promise<Dispatcher>; timeoutMs: number; signal?: AbortSignal }): Promise<Opened> {
  if (url.startsWith('file:')) {
    let path: string;
    try { path = fileURLToPath(url); } catch (cause) {
      throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${url}: not a valid file URL`, { subject: url, cause }), false);
    }
    let size: number;
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
    } catch (cause) {
      const missing = (cause as { code?: string }).code === 'ENOENT';
      throw new AttemptError(new RfsError(missing ? 'RFS_HTTP_STATUS' : 'RFS_FETCH_FAILED', `fetching ${url}: ${missing ? 'no such file' : cause instanceof Error ? cause.message : String(cause)}`, {
        subject: url, cause, ...(missing ? { hint: STATUS_HINT[404], details: { status: 404 } } : {}),
      }), false);
    }
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    return { body: stream, size, cancel: () => stream.destroy() };
  }
  if (!/^https?:/i.test(url)) {
    throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${url}: unsupported URL scheme`, { subject: url, hint: 'use http://, https:// or file://' }), false);
  }
  let res: Dispatcher.ResponseData;
  try {
    const { request } = await loadUndici();
    res = await request(url, {
      dispatcher: await opts.dispatcher(), method: 'GET', headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs,
      headers: { 'user-agent': 'rootfs-assemble' }, ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (cause) {
    if (opts.signal?.aborted) throw new RfsError('RFS_ABORTED', `fetching ${url}: aborted`, { subject: url, cause });
    const reason = cause instanceof Error ? `${(cause as { code?: string }).code ?? cause.name}: ${cause.message}` : String(cause);
    throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${url}: ${reason}`, { subject: url, cause }), true);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    res.body.resume();
    const s = res.statusCode;
    const retryable = s >= 500 || s === 408 || s === 429;
    throw new AttemptError(new RfsError('RFS_HTTP_STATUS', `fetching ${url}: HTTP ${s}`, {
      subject: url, details: { status: s }, ...(STATUS_HINT[s] ? { hint: STATUS_HINT[s] } : {}),
    }), retryable);
  }
  const len = Number(res.headers['content-length']);
  return { body: res.body, size: Number.isFinite(len) && len >= 0 ? len : undefined, cancel: () => res.body.destroy() };
}
