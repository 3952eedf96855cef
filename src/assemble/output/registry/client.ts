// One registry's /v2/ API over undici: scheme and auth found by a ping, bearer tokens per scope
// (WWW-Authenticate: Bearer realm/service/scope) or basic auth, and retries of transient failures
// with the package fetcher's classification (network errors, 5xx, 408, 429) and backoff.
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { RfsError, untrusted } from '../../../errors/index.js';
import { AttemptError, createDispatcher, DEFAULT_DEADLINES, deadlinesFromEnv, networkError, open, shownUrl, totalDeadlineMs, undiciRequest as request, type Deadlines, type Opened } from '../../../fetch/index.js';
import type { EventSink } from '../../../types/index.js';
import { sleep } from '../../../util/sleep.js';
import { parseChallenges } from './challenge.js';
import { findCredentials, type Credentials } from './credentials.js';
import { referenceText, type ImageReference } from './reference.js';
import { tlsSettings } from './tls.js';

export interface RegistryClientOptions {
  env?: NodeJS.ProcessEnv;
  /** --authfile: read only this auth file */
  authFile?: string;
  /** --tls-verify (default true) */
  tlsVerify?: boolean;
  /** --cert-dir */
  certDir?: string;
  /** retries of a transient failure (default 3, as package fetches) and the first backoff (500 ms, doubled) */
  retries?: number;
  backoffMs?: number;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** what the client is for, as messages say it (default 'push') */
  purpose?: 'push' | 'pull';
}

export interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** the body, at most MAX_TEXT (or SendOptions.maxBytes) bytes of it */
  text: string;
  /** the same bytes undecoded (a manifest is hashed as sent) */
  bytes: Buffer;
  /** the body was longer than the limit: `text` is its start only */
  truncated: boolean;
}

export interface SendOptions {
  headers?: Record<string, string>;
  /** bytes, or a factory giving a fresh stream for each attempt */
  body?: Uint8Array | (() => Readable);
  size?: number;
  /** token scopes this request needs, e.g. 'repository:team/app:pull,push' */
  scopes: string[];
  /** statuses that are answers, not failures */
  ok: number[];
  /** the most of the body kept (default MAX_TEXT) */
  maxBytes?: number;
}

type Challenge = { scheme: 'none' } | { scheme: 'basic' } | { scheme: 'bearer'; realm: string; service?: string };

/** the most of a response body kept: tokens and error lists are far smaller */
const MAX_TEXT = 1 << 20;
/** the longest WWW-Authenticate value read (real ones are well under 1 KiB) */
const MAX_CHALLENGE = 8 << 10;

/** The registry's JSON error list ({"errors":[{"code","message"}]}) as one escaped line; a cut body says so. */
export function registryErrors(text: string, truncated = false): string {
  if (truncated) return `${untrusted(text.trim(), 200)} …(truncated)`;
  try {
    const v = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    const list = (v.errors ?? []).map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x !== '').join(': ')).filter(Boolean);
    if (list.length > 0) return untrusted(list.join('; '), 300);
  } catch { /* not JSON: the text itself */ }
  return untrusted(text.trim(), 200);
}

export class RegistryClient {
  readonly ref: ImageReference;
  private readonly deadlines: Deadlines;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly credentials: Credentials | undefined;
  private readonly helperIn: string | undefined;
  private dispatcherP: Promise<Dispatcher> | undefined;
  private base: string | undefined;
  private challenge: Challenge = { scheme: 'none' };
  private readonly tokens = new Map<string, string>();

  constructor(ref: ImageReference, private readonly opts: RegistryClientOptions = {}) {
    this.ref = ref;
    const env = opts.env ?? process.env;
    this.deadlines = { ...DEFAULT_DEADLINES, ...deadlinesFromEnv(env.RFS_FETCH_DEADLINES) };
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 500;
    const found = findCredentials(ref, env, opts.authFile);
    this.credentials = found.credentials;
    this.helperIn = found.helperIn;
  }

  get what(): string {
    const ref = untrusted(referenceText(this.ref), 300);
    return this.opts.purpose === 'pull' ? `pulling ${ref}` : `pushing to ${ref}`;
  }

  private dispatcher(): Promise<Dispatcher> {
    // async: a bad --cert-dir rejects here, reported as the request's failure
    this.dispatcherP ??= (async () => createDispatcher(4, this.deadlines.connectMs, tlsSettings(this.ref.apiHost, this.opts.tlsVerify ?? true, this.opts.certDir)))();
    return this.dispatcherP;
  }

  async close(): Promise<void> {
    if (this.dispatcherP) await (await this.dispatcherP).close();
  }

  /** GET /v2/: which scheme answers (https; plain http too with --tls-verify=false) and which auth it wants. */
  async ping(): Promise<void> {
    if (this.base) return;
    const schemes = this.opts.tlsVerify === false ? ['https', 'http'] : ['https'];
    let first: unknown;
    for (const scheme of schemes) {
      const url = `${scheme}://${this.ref.apiHost}/v2/`;
      try {
        const res = await this.retrying(`reaching ${shownUrl(url)}`, () => this.raw('GET', url, {}, undefined, undefined));
        if (res.status === 401) {
          this.challenge = this.challengeOf(res, url);
          if (this.challenge.scheme === 'basic') await this.checkBasic(url);
        } else if (res.status < 200 || res.status >= 300) throw this.statusError(`reaching ${shownUrl(url)}`, url, res);
        this.base = `${scheme}://${this.ref.apiHost}`;
        return;
      } catch (err) {
        first ??= err;
        if (!(err instanceof RfsError) || err.code !== 'RFS_FETCH_FAILED') throw err;
      }
    }
    throw withTlsHint(first);
  }

  /** Basic auth is checked once on /v2/, where the registry's refusal carries its error body (a HEAD's would not). */
  private async checkBasic(url: string): Promise<void> {
    const auth = this.basic();
    if (!auth) throw new RfsError('RFS_REGISTRY', `${this.what}: the registry wants credentials (HTTP 401 on ${shownUrl(url)})`, { subject: url, hint: this.authHint() });
    const res = await this.retrying(`logging in to ${shownUrl(url)}`, () => this.raw('GET', url, { authorization: auth }, undefined, undefined));
    if (res.status === 401 || res.status === 403) {
      throw new RfsError('RFS_REGISTRY', `${this.what}: GET ${shownUrl(url)}: HTTP ${res.status} ${registryErrors(res.text, res.truncated)}`.trimEnd(), { subject: url, hint: this.authHint() });
    }
    if (res.status < 200 || res.status >= 300) throw this.statusError(`logging in to ${shownUrl(url)}`, url, res);
  }

  url(path: string): string {
    if (!this.base) throw new RfsError('RFS_INTERNAL', 'registry client used before ping()');
    return /^https?:\/\//.test(path) ? path : new URL(path, this.base).href;
  }

  private challengeOf(res: Sent, url: string): Challenge {
    const header = res.headers['www-authenticate'];
    const values = Array.isArray(header) ? header : header ? [header] : [];
    if (values.some((h) => h.length > MAX_CHALLENGE)) {
      throw new RfsError('RFS_REGISTRY', `${this.what}: ${shownUrl(url)} answered 401 with a WWW-Authenticate header longer than ${MAX_CHALLENGE} bytes`, { subject: this.ref.registry, hint: 'is this an OCI distribution registry?' });
    }
    const challenges = values.flatMap(parseChallenges);
    for (const c of challenges) {
      if (c.scheme === 'bearer' && c.params.realm) return { scheme: 'bearer', realm: this.checkedRealm(c.params.realm, url), ...(c.params.service ? { service: c.params.service } : {}) };
    }
    if (challenges.some((c) => c.scheme === 'basic')) return { scheme: 'basic' };
    throw new RfsError('RFS_REGISTRY', `${this.what}: ${shownUrl(url)} answered 401 without a Bearer or Basic challenge`, { subject: url, hint: 'is this an OCI distribution registry?' });
  }

  /** The token server gets the credentials: an http(s) URL, https when the registry is (unless --tls-verify=false). */
  private checkedRealm(realm: string, url: string): string {
    const refuse = (why: string, hint: string): RfsError => new RfsError('RFS_REGISTRY', `${this.what}: the registry's token realm ${untrusted(realm, 200)} ${why}`, { subject: this.ref.registry, hint });
    if (!URL.canParse(realm)) throw refuse('is not a URL', "the registry's WWW-Authenticate realm must be the absolute URL of its token server");
    const u = new URL(realm);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw refuse(`is a ${untrusted(u.protocol, 20)} URL`, 'a token server is reached over http:// or https:// only');
    if (u.protocol === 'http:' && new URL(url).protocol === 'https:' && this.opts.tlsVerify !== false) {
      throw refuse('is plain http for an https registry: credentials would travel in clear', "fix the registry's token realm, or give --tls-verify=false to accept it");
    }
    return u.href;
  }

  private basic(): string | undefined {
    const c = this.credentials;
    return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
  }

  private authHint(): string {
    const reg = untrusted(this.ref.registry, 300);
    if (this.credentials) return `the credentials for ${reg} in ${this.credentials.source} were refused; log in again (podman login ${reg})`;
    if (this.helperIn) return `${this.helperIn} names a credential helper for ${reg}; helpers are not run: put the credentials in an auth file (podman login --authfile FILE, then --authfile FILE)`;
    return `no credentials for ${reg} in ${authFilesText(this.opts)}; log in with podman login or docker login, or give --authfile`;
  }

  /** A bearer token for these scopes (anonymous when there are no credentials). */
  private async token(scopes: string[]): Promise<string> {
    const key = scopes.join(' ');
    const have = this.tokens.get(key);
    if (have !== undefined) return have;
    if (this.challenge.scheme !== 'bearer') throw new RfsError('RFS_INTERNAL', 'token() without a bearer challenge');
    const u = new URL(this.challenge.realm);
    if (this.challenge.service) u.searchParams.set('service', this.challenge.service);
    for (const s of scopes) u.searchParams.append('scope', s);
    const auth = this.basic();
    const res = await this.retrying(`getting a token from ${shownUrl(u.href)}`, () => this.raw('GET', u.href, auth ? { authorization: auth } : {}, undefined, undefined));
    if (res.status === 401 || res.status === 403) {
      throw new RfsError('RFS_REGISTRY', `${this.what}: the token server refused the credentials (HTTP ${res.status}${res.text ? `: ${registryErrors(res.text, res.truncated)}` : ''})`, { subject: u.href, hint: this.authHint() });
    }
    if (res.status !== 200) throw this.statusError(`getting a token from ${shownUrl(u.href)}`, u.href, res);
    const text = this.wholeText(res, "the token server's answer", u.href);
    let token: unknown;
    try {
      const v = JSON.parse(text) as { token?: unknown; access_token?: unknown };
      token = v.token ?? v.access_token;
    } catch { /* reported below */ }
    if (typeof token !== 'string' || token === '') throw new RfsError('RFS_REGISTRY', `${this.what}: the token server's answer has no token`, { subject: u.href });
    this.tokens.set(key, token);
    return token;
  }

  /** One request with auth; a 401 gets one fresh token before it counts as refused. */
  async send(method: string, path: string, o: SendOptions): Promise<Sent> {
    const url = this.url(path);
    for (let fresh = false; ; fresh = true) {
      // an upload Location on another host (a storage service) gets no registry credentials
      const foreign = new URL(url).origin !== this.origin();
      const headers: Record<string, string> = { ...o.headers, ...(foreign ? {} : await this.authHeaders(o.scopes, fresh)) };
      const res = await this.raw(method, url, headers, o.body, o.size, o.maxBytes);
      if (o.ok.includes(res.status)) return res;
      if (res.status === 401 && this.challenge.scheme === 'bearer' && !fresh && !foreign) continue;
      if (res.status === 401 || (res.status === 403 && this.challenge.scheme !== 'none')) {
        throw new RfsError('RFS_REGISTRY', `${this.what}: ${method} ${shownUrl(url)}: HTTP ${res.status} ${registryErrors(res.text, res.truncated)}`.trimEnd(), { subject: url, hint: this.authHint() });
      }
      throw this.statusError(`${method} ${shownUrl(url)}`, url, res);
    }
  }

  private origin(): string {
    return new URL(this.url('/')).origin;
  }

  /** The Authorization the registry's own URLs get for these scopes (`fresh`: a new token). */
  private async authHeaders(scopes: string[], fresh: boolean): Promise<Record<string, string>> {
    if (this.challenge.scheme === 'bearer') {
      if (fresh) this.tokens.delete(scopes.join(' '));
      return { authorization: `Bearer ${await this.token(scopes)}` };
    }
    const b = this.challenge.scheme === 'basic' ? this.basic() : undefined;
    return b ? { authorization: b } : {};
  }

  /**
   * GET a blob as a stream, following redirects (storage services are normal) with fetch's
   * checks; the Authorization goes to the registry's origin only. A 401 gets one fresh token.
   * Failures are AttemptErrors (retryable ones for `retrying`); statuses say which blob.
   */
  async openBlob(path: string, o: { scopes: string[]; size: number }): Promise<Opened> {
    const url = this.url(path);
    for (let fresh = false; ; fresh = true) {
      const headers = await this.authHeaders(o.scopes, fresh);
      try {
        return await open(url, {
          dispatcher: () => this.dispatcher(), deadlines: this.deadlines, size: o.size,
          originHeaders: { origin: this.origin(), headers }, ...(this.opts.signal ? { signal: this.opts.signal } : {}),
        });
      } catch (err) {
        if (!(err instanceof AttemptError) || err.error.code !== 'RFS_HTTP_STATUS') throw err;
        const status = (err.error.details as { status?: unknown } | undefined)?.status;
        const at = err.error.subject ?? url;
        const own = URL.canParse(at) && new URL(at).origin === this.origin();
        if (status === 401 && own && this.challenge.scheme === 'bearer' && !fresh) continue;
        const refused = own && (status === 401 || (status === 403 && this.challenge.scheme !== 'none'));
        throw new AttemptError(new RfsError('RFS_REGISTRY', `${this.what}: GET ${shownUrl(at)}: HTTP ${String(status)}`, {
          subject: at, details: { status },
          hint: refused ? this.authHint() : status === 404 ? 'the registry does not hold this blob (a manifest naming a deleted or never pushed blob)' : 'a registry or its blob storage failing',
        }), err.retryable);
      }
    }
  }

  /** A failure while reading a blob's body: aborted, or a network failure classified as package fetches are. */
  streamError(url: string, cause: unknown): AttemptError | RfsError {
    if (this.opts.signal?.aborted) return new RfsError('RFS_ABORTED', `${this.what}: aborted`, { subject: url, cause });
    return networkError(url, cause, this.deadlines);
  }

  /** A body that is parsed (a token, a manifest): never its truncated start. */
  wholeText(res: Sent, what: string, subject: string): string {
    if (res.truncated) throw new RfsError('RFS_REGISTRY', `${this.what}: ${what} is larger than ${MAX_TEXT} bytes`, { subject, hint: 'a token or manifest is far smaller: is this an OCI distribution registry?' });
    return res.text;
  }

  /** A status that is not an answer: retryable when the server may recover (5xx, 408, 429). */
  statusError(doing: string, url: string, res: Sent): AttemptError | RfsError {
    const s = res.status;
    const e = new RfsError('RFS_REGISTRY', `${this.what}: ${doing}: HTTP ${s}${res.text ? ` ${registryErrors(res.text, res.truncated)}` : ''}`, { subject: url, details: { status: s } });
    return s >= 500 || s === 408 || s === 429 ? new AttemptError(e, true) : e;
  }

  /** The request itself: network failures become AttemptErrors (retryable as for package fetches). */
  private async raw(method: string, url: string, headers: Record<string, string>, body: SendOptions['body'], size: number | undefined, maxBytes = MAX_TEXT): Promise<Sent> {
    const d = this.deadlines;
    const limit = totalDeadlineMs(d, size ?? 0);
    const timer = Number.isFinite(limit) ? AbortSignal.timeout(limit) : undefined;
    const signals = [this.opts.signal, timer].filter((s): s is AbortSignal => s !== undefined);
    const payload = body === undefined ? undefined : body instanceof Uint8Array ? body : body();
    const len = body instanceof Uint8Array ? body.length : size;
    try {
      const res = await request(url, {
        dispatcher: await this.dispatcher(), method, headersTimeout: d.idleMs, bodyTimeout: d.idleMs,
        headers: { 'user-agent': 'rootfs-assemble', ...headers, ...(len !== undefined && payload !== undefined ? { 'content-length': String(len) } : {}) },
        ...(payload !== undefined ? { body: payload } : {}),
        ...(signals.length > 0 ? { signal: AbortSignal.any(signals) } : {}),
      });
      res.body.on('error', () => undefined);
      let bytes = Buffer.alloc(0);
      let truncated = false;
      if (method !== 'HEAD') {
        const chunks: Buffer[] = [];
        let n = 0;
        for await (const c of res.body as AsyncIterable<Buffer>) {
          if (n + c.length > maxBytes) {
            chunks.push(c.subarray(0, maxBytes - n));
            truncated = true;
            res.body.destroy();
            break;
          }
          n += c.length;
          chunks.push(c);
        }
        bytes = Buffer.concat(chunks);
      } else {
        res.body.destroy();
      }
      return { status: res.statusCode, headers: res.headers, text: bytes.toString('utf8'), bytes, truncated };
    } catch (cause) {
      if (this.opts.signal?.aborted) throw new RfsError('RFS_ABORTED', `${this.what}: aborted`, { subject: url, cause });
      if (timer?.aborted) {
        throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `${this.what}: ${method} ${shownUrl(url)}: not complete within ${limit / 1000} s, the longest allowed for its size`, {
          subject: url, hint: 'the registry or the link is crawling (the limit is set by RFS_FETCH_DEADLINES total=, total-rate=)',
        }), false);
      }
      throw networkError(url, cause, d);
    } finally {
      if (payload !== undefined && !(payload instanceof Uint8Array)) payload.destroy();
    }
  }

  /** Run `fn` again after transient failures (backoff 500 ms doubled); the last failure is thrown as an RfsError. */
  async retrying<T>(doing: string, fn: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof AttemptError)) throw err;
        if (!err.retryable || attempt > this.retries) {
          const e = err.error;
          throw new RfsError(e.code, e.message.startsWith(this.what) ? e.message : `${this.what}: ${e.message}`, {
            cause: e, ...(e.subject ? { subject: e.subject } : {}), ...(e.hint ? { hint: e.hint } : {}), details: { attempts: attempt, ...(typeof e.details === 'object' ? e.details : {}) },
          });
        }
        const delayMs = this.backoffMs * 2 ** (attempt - 1);
        this.opts.onEvent?.({ kind: 'fetch:retry', url: err.error.subject ?? doing, attempt: attempt + 1, reason: err.error.message, delayMs });
        await sleep(delayMs, this.opts.signal);
      }
    }
  }
}

/** A certificate the host does not trust: say how to make it trusted. */
function withTlsHint(err: unknown): unknown {
  if (!(err instanceof RfsError) || !/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|certificate/i.test(err.message)) return err;
  return new RfsError(err.code, err.message, {
    cause: err, ...(err.subject ? { subject: err.subject } : {}),
    hint: "the registry's certificate is not trusted: give its CA with --cert-dir DIR (DIR/*.crt), or --tls-verify=false",
  });
}

function authFilesText(o: RegistryClientOptions): string {
  const env = o.env ?? process.env;
  return o.authFile ?? env.REGISTRY_AUTH_FILE ?? '$XDG_RUNTIME_DIR/containers/auth.json or ~/.docker/config.json';
}
