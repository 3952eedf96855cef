// One GET: http(s) through undici (a pool per origin, proxies from the environment) or file://.
// Redirects are followed here, not by undici, so every hop is checked (scheme, loops, count).
import { createReadStream, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Dispatcher } from 'undici';
import { redactUrl, RfsError, untrusted } from '../errors/index.js';
import { totalDeadlineMs, type Deadlines } from './deadlines.js';
import { request, undiciParts } from './undici.js';

export interface Opened {
  body: AsyncIterable<Uint8Array>;
  /** Content-Length or file size, when known */
  size: number | undefined;
  /** the URL the body came from (after redirects) */
  url: string;
  /** release the connection without reading the rest */
  cancel(): void;
}

/** A URL as messages show it: credentials out, escaped and bounded (hrefs come from mirrors). */
export function shownUrl(url: string): string {
  return untrusted(redactUrl(url), 400);
}

/** An RfsError plus whether trying again (or another mirror) could help. */
export class AttemptError extends Error {
  constructor(readonly error: RfsError, readonly retryable: boolean) {
    super(error.message);
  }
}

/** Certificates beyond the system's, and whether the server's is checked (the registry's --cert-dir, --tls-verify). */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  ca?: string[];
  cert?: string;
  key?: string;
}

export async function createDispatcher(connections: number, connectMs: number, tls?: TlsOptions): Promise<Dispatcher> {
  const { EnvHttpProxyAgent } = undiciParts();
  // EnvHttpProxyAgent reads HTTP_PROXY/HTTPS_PROXY/NO_PROXY; each origin gets its own pool.
  // `connect` is for direct connections, `requestTls` for the origin behind a proxy's CONNECT.
  return new EnvHttpProxyAgent({
    connections, keepAliveTimeout: 10_000, connect: { timeout: connectMs, ...tls }, proxyTls: { timeout: connectMs }, ...(tls ? { requestTls: tls } : {}),
  });
}

const STATUS_HINT: Record<number, string> = {
  401: 'the server wants credentials; put them in the URL (user:pass@host) or use a mirror',
  403: 'the server refused access; is this a subscription-only tree?',
  404: 'is the release/arch right? is the mirror a vault (EOL releases move to vault.centos.org)?',
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TRANSIENT_UNDICI = new Set(['UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export interface OpenOptions {
  dispatcher: () => Promise<Dispatcher>;
  deadlines: Deadlines;
  signal?: AbortSignal;
  /** the size the metadata declares (never the server's Content-Length): sets the total deadline */
  size?: number;
  /** headers sent only to this origin (a registry's Authorization), never to a host a redirect leads to */
  originHeaders?: { origin: string; headers: Record<string, string> };
}

/** Human words for the network failures undici reports by code. */
function reasonOf(cause: unknown, d: Deadlines): string {
  const code = (cause as { code?: unknown }).code;
  const s = (ms: number): string => `${ms / 1000} s`;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT': return `no connection within ${s(d.connectMs)}`;
    case 'UND_ERR_HEADERS_TIMEOUT': return `no response headers within ${s(d.idleMs)}`;
    case 'UND_ERR_BODY_TIMEOUT': return `no data for ${s(d.idleMs)}`;
    case 'ECONNRESET': return 'connection reset by the server';
    case 'ECONNREFUSED': return 'connection refused';
    case 'UND_ERR_SOCKET': return 'connection closed by the server before the response was complete';
    default: break;
  }
  if (cause instanceof Error) return `${typeof code === 'string' ? code : cause.name}: ${untrusted(cause.message, 200)}`;
  return untrusted(String(cause), 200);
}

/**
 * A failure while connecting or reading: network errors are worth another try, anything else
 * (a bad URL, a programming error) is not.
 */
export function networkError(url: string, cause: unknown, d: Deadlines): AttemptError {
  if (cause instanceof AttemptError) return cause;
  if (cause instanceof RfsError) return new AttemptError(cause, false);
  const code = (cause as { code?: unknown }).code;
  // errno-style codes (ECONNRESET, ETIMEDOUT, EAI_AGAIN...) and undici's socket/timeout errors;
  // not certificate errors, malformed responses (HPE_*) or bad arguments
  const retryable = typeof code === 'string' && (/^E[A-Z_]+$/.test(code) && !code.startsWith('ERR_') || TRANSIENT_UNDICI.has(code));
  return new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: ${reasonOf(cause, d)}`, { subject: url, cause }), retryable);
}

export type CheckedLocation = { url: string } | { refused: string; hint: string };

/**
 * Where a Location header (a redirect's, a registry upload's) sends a request made to `from`:
 * http(s) only, never from https down to http; a relative one resolves against `from`. The
 * result carries user:pass@ only on `from`'s origin, so credentials in a URL go nowhere else.
 */
export function checkedLocation(from: string, location: string, what: string): CheckedLocation {
  let next: URL;
  try { next = new URL(location, from); } catch {
    return { refused: `${what} to an invalid URL ${untrusted(location, 200)}`, hint: 'the server is misconfigured' };
  }
  const base = new URL(from);
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return { refused: `${what} to a ${untrusted(next.protocol, 20)} URL refused`, hint: 'only http:// and https:// are followed' };
  }
  if (base.protocol === 'https:' && next.protocol === 'http:') {
    return { refused: `${what} from https to http refused (${shownUrl(next.href)})`, hint: 'a server reached over https may not send the client to plain http' };
  }
  if (next.origin !== base.origin) {
    next.username = '';
    next.password = '';
  } else if (next.username === '' && next.password === '') {
    next.username = base.username;
    next.password = base.password;
  }
  return { url: next.href };
}

/**
 * user:pass@ in a mirror URL (as dnf's baseurl takes it) becomes HTTP basic auth: undici would
 * send the URL's credentials nowhere. checkedLocation keeps them on their own origin only.
 */
export function withBasicAuth(url: string): { url: string; headers: Record<string, string> } {
  const u = URL.canParse(url) ? new URL(url) : null;
  if (!u || (u.username === '' && u.password === '')) return { url, headers: {} };
  const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  return { url: withoutCredentials(url), headers: { authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` } };
}

/** The URL without its user:pass@ (as given when it has none or does not parse). */
export function withoutCredentials(url: string): string {
  if (!URL.canParse(url)) return url;
  const u = new URL(url);
  if (u.username === '' && u.password === '') return url;
  u.username = '';
  u.password = '';
  return u.href;
}

function refuse(url: string, why: string, hint: string): AttemptError {
  return new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: ${why}`, { subject: url, hint }), false);
}

export async function open(url: string, opts: OpenOptions): Promise<Opened> {
  if (url.startsWith('file:')) return openFile(url);
  if (!/^https?:/i.test(url)) {
    throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: unsupported URL scheme`, { subject: url, hint: 'use http://, https:// or file://' }), false);
  }
  const d = opts.deadlines;
  const started = Date.now();
  const seen = new Set<string>();
  let current = url;
  for (let hop = 0; ; hop++) {
    seen.add(URL.canParse(current) ? new URL(current).href : current);
    let res: Dispatcher.ResponseData;
    try {
      const target = withBasicAuth(current);
      const own = opts.originHeaders !== undefined && new URL(target.url).origin === opts.originHeaders.origin ? opts.originHeaders.headers : {};
      res = await request(target.url, {
        dispatcher: await opts.dispatcher(), method: 'GET', headersTimeout: d.idleMs, bodyTimeout: d.idleMs,
        headers: { 'user-agent': 'rootfs-assemble', ...own, ...target.headers }, ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (cause) {
      if (opts.signal?.aborted) throw new RfsError('RFS_ABORTED', `fetching ${shownUrl(current)}: aborted`, { subject: current, cause });
      throw networkError(current, cause, d);
    }
    // destroying the body (cancel, the speed watch) emits 'error'; the reader sees it anyway
    res.body.on('error', () => undefined);
    const s = res.statusCode;
    if (REDIRECTS.has(s)) {
      res.body.destroy();
      const location = res.headers.location;
      const loc = Array.isArray(location) ? location[0] : location;
      if (!loc) throw refuse(current, `HTTP ${s} without a Location`, 'the mirror is misconfigured; try another mirror');
      const next = checkedLocation(current, loc, 'redirect');
      if ('refused' in next) throw refuse(current, next.refused, `${next.hint}; try another mirror`);
      if (seen.has(next.url)) throw refuse(current, `redirect loop back to ${shownUrl(next.url)}`, 'the mirror is misconfigured; try another mirror');
      if (hop + 1 > d.maxRedirects) throw refuse(url, `more than ${d.maxRedirects} redirects`, 'the mirror is misconfigured; try another mirror');
      current = next.url;
      continue;
    }
    if (s < 200 || s >= 300) {
      res.body.destroy();
      const retryable = s >= 500 || s === 408 || s === 429;
      throw new AttemptError(new RfsError('RFS_HTTP_STATUS', `fetching ${shownUrl(current)}: HTTP ${s}`, {
        subject: current, details: { status: s }, ...(STATUS_HINT[s] ? { hint: STATUS_HINT[s] } : {}),
      }), retryable);
    }
    const lenHeader = res.headers['content-length'];
    // a huge value stays huge (not "unknown"), so the size limit refuses it before reading
    const size = typeof lenHeader === 'string' && /^\s*\d+\s*$/.test(lenHeader) ? Number(lenHeader) : undefined;
    watchTotal(res.body, current, started, totalDeadlineMs(d, opts.size));
    return { body: watchSpeed(res.body, current, d), size, url: current, cancel: () => res.body.destroy() };
  }
}

/** The whole-transfer deadline (from open(), redirects included): a server just above the speed floor still ends. */
function watchTotal(body: Dispatcher.ResponseData['body'], url: string, started: number, totalMs: number): void {
  if (!Number.isFinite(totalMs)) return;
  const fail = (): void => {
    body.destroy(new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: not complete within ${totalMs / 1000} s, the longest allowed for its size`, {
      subject: url, hint: 'the mirror is crawling; use another mirror (the limit is set by RFS_FETCH_DEADLINES total=, total-rate=, total-nosize=)',
    }), false)); // as with a crawl: other mirrors, not this URL again
  };
  const leftMs = totalMs - (Date.now() - started);
  if (leftMs <= 0) { fail(); return; }
  const timer = setTimeout(fail, Math.min(leftMs, 2 ** 31 - 1));
  timer.unref();
  body.once('close', () => clearTimeout(timer));
}

/**
 * curl's --speed-limit/--speed-time: fewer than lowSpeedBytes in a window of lowSpeedWindowMs
 * fails the transfer (a drip of a byte now and then never trips the idle timeout).
 */
function watchSpeed(body: Dispatcher.ResponseData['body'], url: string, d: Deadlines): AsyncIterable<Uint8Array> {
  if (d.lowSpeedBytes <= 0 || d.lowSpeedWindowMs <= 0) return body;
  let bytes = 0;
  const timer = setInterval(() => {
    if (bytes >= d.lowSpeedBytes) { bytes = 0; return; }
    clearInterval(timer);
    body.destroy(new AttemptError(new RfsError('RFS_FETCH_FAILED',
      `fetching ${shownUrl(url)}: too slow (${bytes} bytes in ${d.lowSpeedWindowMs / 1000} s, the minimum is ${d.lowSpeedBytes})`, {
        subject: url, hint: 'the mirror is crawling; use another mirror (the limit is set by RFS_FETCH_DEADLINES)',
      }), false)); // a crawl is the server's doing: other mirrors, not this URL again (4 x 30 s would be 2 min)
  }, d.lowSpeedWindowMs);
  timer.unref();
  body.once('close', () => clearInterval(timer));
  // counted as consumed: a 'data' listener would switch the stream to flowing mode and lose chunks
  return (async function* counted() {
    for await (const c of body as AsyncIterable<Uint8Array>) {
      bytes += c.length;
      yield c;
    }
  })();
}

function openFile(url: string): Opened {
  let path: string;
  try { path = fileURLToPath(url); } catch (cause) {
    throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: not a valid file URL`, { subject: url, cause }), false);
  }
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (cause) {
    const missing = (cause as { code?: string }).code === 'ENOENT';
    throw new AttemptError(new RfsError(missing ? 'RFS_HTTP_STATUS' : 'RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: ${missing ? 'no such file' : cause instanceof Error ? cause.message : String(cause)}`, {
      subject: url, cause, ...(missing ? { hint: STATUS_HINT[404], details: { status: 404 } } : {}),
    }), false);
  }
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return { body: stream, size, url, cancel: () => stream.destroy() };
}
