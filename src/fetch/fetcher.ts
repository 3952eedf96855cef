// Downloads with bounded concurrency, deadlines, retries of transient faults with backoff, mirror
// failover and a verified cache; the first fatal error stops every transfer.
import { open as openFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { redactUrl, RfsError, toRfsError, untrusted } from '../errors/index.js';
import type { AssembleEvent, Checksum, EventSink, RepoConfig } from '../types/index.js';
import { createDigest, digestFile } from '../util/checksum.js';
import { sleep } from '../util/sleep.js';
import { ContentCache } from './cache.js';
import { resolveMirrors, type MirrorSet } from './mirrors.js';
import { DEFAULT_DEADLINES, deadlinesFromEnv, type Deadlines } from './deadlines.js';
import { AttemptError, createDispatcher, networkError, open, shownUrl, type Opened } from './transport.js';

export interface FetcherOptions {
  /** content-addressed download and metadata cache (the CLI's default: defaultCacheDir()) */
  cacheDir: string;
  /** parallel downloads (default 4) */
  jobs?: number;
  /** extra rounds over all mirrors after the first (default 3) */
  retries?: number;
  /** no response headers, or no body byte, for this long fails the attempt (default 30 s) */
  timeoutMs?: number;
  /** TCP/TLS connect deadline of the built-in dispatcher (default 15 s) */
  connectTimeoutMs?: number;
  /** fewer than lowSpeedBytes in any lowSpeedWindowMs fails the attempt (default 10 KiB in 30 s; 0 turns it off) */
  lowSpeedBytes?: number;
  /** the window of lowSpeedBytes, in ms */
  lowSpeedWindowMs?: number;
  /** redirect hops per request (default 10) */
  maxRedirects?: number;
  /** deadlines not given above come from RFS_FETCH_DEADLINES here (default process.env), then the defaults */
  env?: NodeJS.ProcessEnv;
  /** first backoff delay, doubled each round (default 500 ms) */
  backoffMs?: number;
  /** largest single download (default 4 GiB) */
  maxBytes?: number;
  /** aborts every transfer (they reject with RFS_ABORTED) */
  signal?: AbortSignal;
  /** receives fetch progress events */
  onEvent?: EventSink;
  /** injected undici dispatcher (tests, custom TLS); default: EnvHttpProxyAgent */
  dispatcher?: Dispatcher;
}

export interface FetchResult {
  path: string; bytes: number; fromCache: boolean; url: string;
  /** the verified bytes as they arrived, when a download was kept in memory (FetchFileOptions.keepInMemory) */
  data?: Uint8Array[];
}

export interface FetchBytesOptions {
  maxBytes?: number;
  /** the caller recovers from a failure (e.g. a mirrorlist with a baseurl to fall back on): it does not abort other transfers */
  optional?: boolean;
}

export interface FetchFileOptions {
  /** expected size in bytes (from the metadata) */
  size?: number;
  maxBytes?: number;
  /**
   * Also return the downloaded bytes (FetchResult.data) when the file is at most this big: the
   * caller then reads them from memory instead of reading the cached file back. Cache hits
   * never carry data.
   */
  keepInMemory?: number;
  /**
   * Where the metadata naming this file came from (a repo base URL). When it is http(s), every
   * URL tried must be too: an xml:base of file:/// in a remote repo's metadata opens no local file.
   */
  origin?: string;
}

/** $XDG_CACHE_HOME/rootfs-assemble, else ~/.cache/rootfs-assemble. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'rootfs-assemble');
}

/**
 * Base URL + relative path, keeping the href's own escaping. Absolute hrefs win, but one from a
 * remote (http/https) base stays http/https: a mirror's metadata never makes us open a local file.
 */
export function joinUrl(base: string, rel: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(rel)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (/^https?:/i.test(base) && scheme !== 'http' && scheme !== 'https') {
      throw new RfsError('RFS_METADATA_MALFORMED', `locating ${untrusted(rel, 200)} in ${shownUrl(base)}: a remote repository may only point at http(s) URLs`, {
        subject: base, hint: 'the repository metadata is hostile or broken; use another mirror',
      });
    }
    return rel;
  }
  return (base.endsWith('/') ? base : `${base}/`) + rel.replace(/^\/+/, '');
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

const PROGRESS_STEP = 1 << 20;
/** downloads streamed to disk are written in batches of this much (one write per chunk cost ~0.6 s per GB) */
const WRITE_BATCH = 1 << 20;

export class Fetcher {
  readonly cache: ContentCache;
  private readonly limit: LimitFunction;
  private dispatcherP: Promise<Dispatcher> | undefined;
  private readonly injected: Dispatcher | undefined;
  private readonly jobsForPool: number;
  private readonly ownsDispatcher: boolean;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBytes: number;
  private readonly deadlines: Deadlines;
  /** tripped by the first fatal error: every other transfer stops at once */
  private readonly stop = new AbortController();
  /** the caller's signal or the stop, whichever comes first */
  private readonly signal: AbortSignal;
  private fatal: RfsError | undefined;
  private configError: RfsError | undefined;

  /** created on first HTTP request */
  private readonly dispatcher = (): Promise<Dispatcher> => {
    this.dispatcherP ??= this.injected ? Promise.resolve(this.injected) : createDispatcher(this.jobsForPool, this.deadlines.connectMs);
    return this.dispatcherP;
  };

  constructor(private readonly opts: FetcherOptions) {
    const jobs = Math.max(1, opts.jobs ?? 4);
    this.cache = new ContentCache(opts.cacheDir);
    this.limit = pLimit(jobs);
    this.ownsDispatcher = !opts.dispatcher;
    this.injected = opts.dispatcher;
    this.jobsForPool = jobs;
    this.retries = opts.retries ?? 3;
    this.backoffMs = opts.backoffMs ?? 500;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 ** 3;
    // a bad setting fails the first fetch, not the constructor (callers set up before they fetch)
    let env: Partial<Deadlines> = {};
    try { env = deadlinesFromEnv((opts.env ?? process.env).RFS_FETCH_DEADLINES); } catch (err) { this.configError = toRfsError(err); }
    this.deadlines = {
      connectMs: opts.connectTimeoutMs ?? env.connectMs ?? DEFAULT_DEADLINES.connectMs,
      idleMs: opts.timeoutMs ?? env.idleMs ?? DEFAULT_DEADLINES.idleMs,
      lowSpeedBytes: opts.lowSpeedBytes ?? env.lowSpeedBytes ?? DEFAULT_DEADLINES.lowSpeedBytes,
      lowSpeedWindowMs: opts.lowSpeedWindowMs ?? env.lowSpeedWindowMs ?? DEFAULT_DEADLINES.lowSpeedWindowMs,
      maxRedirects: opts.maxRedirects ?? env.maxRedirects ?? DEFAULT_DEADLINES.maxRedirects,
      totalMs: env.totalMs ?? DEFAULT_DEADLINES.totalMs,
      totalRate: env.totalRate ?? DEFAULT_DEADLINES.totalRate,
      totalNoSizeMs: env.totalNoSizeMs ?? DEFAULT_DEADLINES.totalNoSizeMs,
    };
    this.signal = opts.signal ? AbortSignal.any([opts.signal, this.stop.signal]) : this.stop.signal;
  }

  /** The error that stopped this fetcher, if one did. */
  get failure(): RfsError | undefined {
    return this.fatal;
  }

  /**
   * Stop every transfer now: in-flight requests are cut, backoffs end, queued and later calls
   * reject with `reason`, and no more events are emitted. The fetcher calls this itself on its
   * first fatal error; a pipeline calls it when it fails elsewhere. The first reason wins.
   */
  abort(reason: RfsError): void {
    this.fatal ??= reason;
    if (!this.stop.signal.aborted) this.stop.abort(this.fatal);
  }

  /** Download (or reuse from the content-addressed cache) and verify; returns the file path. */
  fetchFile(urls: string[], relPath: string, expected?: Checksum, opts: FetchFileOptions = {}): Promise<FetchResult> {
    return this.limit(() => this.guard(false, () => this.fetchFileNow(urls, relPath, expected, opts)));
  }

  /** Small documents (repomd.xml, mirrorlists, keys); never cached. Several URLs are mirrors in order. */
  fetchBytes(url: string | string[], opts: FetchBytesOptions = {}): Promise<Uint8Array> {
    const urls = Array.isArray(url) ? url : [url];
    const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    return this.limit(() => this.guard(opts.optional ?? false, () => this.withFailover(urls, async (u, attempt) => {
      const o = await this.openOne(u, attempt);
      try {
        if (o.size !== undefined && o.size > maxBytes) throw this.sizeLimit(u, maxBytes);
        const parts: Uint8Array[] = [];
        let n = 0;
        for await (const c of o.body) {
          n += c.length;
          if (n > maxBytes) throw this.sizeLimit(u, maxBytes);
          parts.push(c);
        }
        if (o.size !== undefined && n !== o.size) throw new AttemptError(this.truncated(u, n, o.size), true);
        this.emitDone(u, n, false);
        return Buffer.concat(parts);
      } catch (err) {
        o.cancel();
        throw this.attemptFailure(u, err);
      }
    })));
  }

  /** Base URLs of a repo in failover order (baseurl, then mirrorlist/metalink mirrors). */
  resolveMirrors(repo: RepoConfig): Promise<MirrorSet> {
    // with a baseurl to fall back on, a broken mirror list is a warning, not a reason to stop everything
    const optional = (repo.baseurl ?? []).length > 0;
    return resolveMirrors(repo, (u) => this.fetchBytes(u, { maxBytes: 4 * 1024 * 1024, optional }), (e) => this.emit(e));
  }

  async close(): Promise<void> {
    if (this.fatal) this.abort(this.fatal);
    if (!this.ownsDispatcher || !this.dispatcherP) return;
    const d = await this.dispatcherP;
    // after a failure, whatever is still in flight is cut rather than waited for
    await (this.signal.aborted ? d.destroy() : d.close());
  }

  /** Run one fetch; its final (not retried) failure stops all others, unless the caller can recover from it. */
  private async guard<T>(optional: boolean, fn: () => Promise<T>): Promise<T> {
    if (this.configError) throw this.configError;
    this.throwIfStopped('fetching');
    try {
      return await fn();
    } catch (err) {
      // stopped by an earlier failure: every fetch reports that one, whichever settles first
      if (this.fatal) throw this.fatal;
      if (this.opts.signal?.aborted) throw new RfsError('RFS_ABORTED', 'fetching: aborted', { cause: err });
      const e = toRfsError(err);
      if (!optional) {
        // new calls fail from now on; the cut comes after this rejection has reached the caller
        // (a Promise.all over several fetches then reports this error, not a consequence of it)
        this.fatal = e;
        setImmediate(() => this.abort(e));
      }
      throw e;
    }
  }

  private throwIfStopped(what: string): void {
    if (this.fatal) throw this.fatal;
    if (this.signal.aborted) throw new RfsError('RFS_ABORTED', `${what}: aborted`);
  }

  private emit(e: AssembleEvent): void {
    if (this.fatal || this.signal.aborted || !this.opts.onEvent) return;
    // events are printed: no credentials from user:pass@ URLs
    this.opts.onEvent('url' in e && typeof e.url === 'string' ? { ...e, url: redactUrl(e.url) } : e);
  }

  private async fetchFileNow(urls: string[], relPath: string, expected: Checksum | undefined, opts: FetchFileOptions): Promise<FetchResult> {
    if (urls.length === 0 && !/^[a-z]+:/i.test(relPath)) {
      throw new RfsError('RFS_NO_MIRROR', `fetching ${untrusted(relPath, 200)}: no base URL to fetch from`, { subject: relPath });
    }
    const candidates = urls.length ? [...new Set(urls.map((b) => joinUrl(b, relPath)))] : [relPath];
    if (opts.origin !== undefined && /^https?:/i.test(opts.origin)) {
      const bad = candidates.find((u) => !/^https?:\/\//i.test(u));
      if (bad !== undefined) {
        throw new RfsError('RFS_METADATA_MALFORMED', `locating ${untrusted(relPath, 200)}: metadata from ${shownUrl(opts.origin)} points at ${shownUrl(bad)}`, {
          subject: opts.origin, hint: 'a remote repository may only point at http(s) URLs; the metadata is hostile or broken, use another mirror',
        });
      }
    }
    if (expected) {
      const hit = await this.cache.lookup(expected, relPath, opts.size);
      if (hit) {
        this.emitDone(candidates[0] ?? relPath, opts.size ?? 0, true);
        return { path: hit, bytes: opts.size ?? 0, fromCache: true, url: candidates[0] ?? relPath };
      }
    }
    const maxBytes = opts.maxBytes ?? this.maxBytes;
    return this.withFailover(candidates, (url, attempt) =>
      url.startsWith('file:') ? this.verifyLocal(url, expected, opts.size) : this.download(url, attempt, relPath, expected, opts.size, maxBytes, opts.keepInMemory ?? 0));
  }

  /** file:// needs no copy: verify in place. */
  private async verifyLocal(url: string, expected: Checksum | undefined, size: number | undefined): Promise<FetchResult> {
    const o = await open(url, { dispatcher: this.dispatcher, deadlines: this.deadlines });
    o.cancel();
    const path = fileURLToPath(url);
    if (size !== undefined && o.size !== size) throw new AttemptError(this.truncated(url, o.size ?? 0, size), false);
    if (expected) {
      const got = await digestFile(path, expected.type);
      if (got !== expected.value.toLowerCase()) throw new AttemptError(this.mismatch(url, expected, got), false);
    }
    this.emitDone(url, o.size ?? 0, false);
    return { path, bytes: o.size ?? 0, fromCache: false, url };
  }

  /**
   * GET into the cache: hashed while it streams, committed (renamed into place) only once size and
   * checksum match. A file of known size up to `keep` bytes is kept as the chunks it arrived in
   * (no copy) and written with one writev; bigger ones go to the temp file in WRITE_BATCH writes.
   */
  private async download(url: string, attempt: number, relPath: string, expected: Checksum | undefined, size: number | undefined, maxBytes: number, keep: number): Promise<FetchResult> {
    const o = await this.openOne(url, attempt, size);
    if (o.size !== undefined && o.size > maxBytes) { o.cancel(); throw this.sizeLimit(url, maxBytes); }
    if (o.size !== undefined && size !== undefined && o.size !== size) {
      // a short (or overlong) body announced up front: no need to read it to know
      o.cancel();
      throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: the server sends ${o.size} bytes, the metadata says ${size}`, {
        subject: url, hint: 'the mirror may be mid-sync; try another mirror',
      }), true);
    }
    const want = size ?? o.size;
    const inMemory = keep > 0 && want !== undefined && want <= keep;
    let temp: string | undefined;
    const hash = createDigest(expected?.type ?? 'sha256');
    let fh: FileHandle | null = null;
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let written = 0;
    const flush = async (): Promise<void> => {
      if (batchBytes === 0) return;
      fh ??= await this.disk(() => openFile(temp ?? '', 'w'));
      const h = fh;
      await this.disk(() => h.writev(batch, written));
      written += batchBytes;
      batch = [];
      batchBytes = 0;
    };
    let n = 0;
    let next = PROGRESS_STEP;
    try {
      temp = await this.disk(async () => this.cache.tempPath());
      for await (const c of o.body) {
        if (n + c.length > maxBytes) throw this.sizeLimit(url, maxBytes);
        if (want !== undefined && n + c.length > want) throw new AttemptError(this.truncated(url, n + c.length, want), true);
        hash.update(c);
        batch.push(c); // undici hands over each chunk (never reused): no copy needed
        batchBytes += c.length;
        if (!inMemory && batchBytes >= WRITE_BATCH) await flush();
        n += c.length;
        if (n >= next) {
          next = n + PROGRESS_STEP;
          this.emit({ kind: 'fetch:progress', url, bytes: n, ...(o.size !== undefined ? { bytesTotal: o.size } : {}) });
        }
      }
      if (want !== undefined && n !== want) throw new AttemptError(this.truncated(url, n, want), true);
      const got = hash.digest('hex');
      // a wrong checksum from this URL will be wrong again: other mirrors only
      if (expected && got !== expected.value.toLowerCase()) throw new AttemptError(this.mismatch(url, expected, got), false);
      const kept = inMemory ? batch : null;
      await flush();
      const t = temp;
      fh ??= await this.disk(() => openFile(t, 'w')); // an empty file
      const h: FileHandle = fh;
      fh = null;
      await this.disk(() => h.close());
      const path = await this.disk(async () => this.cache.commit(t, expected ?? { type: 'sha256', value: got }, relPath));
      this.emitDone(url, n, false);
      return { path, bytes: n, fromCache: false, url, ...(kept ? { data: kept } : {}) };
    } catch (err) {
      o.cancel();
      await (fh as FileHandle | null)?.close().catch(() => undefined);
      if (temp) await rm(temp, { force: true }).catch(() => undefined);
      throw this.attemptFailure(url, err);
    }
  }

  /** A file system error while writing the cache: a full disk says so and is never retried. */
  private async disk<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (typeof code !== 'string') throw cause;
      const dir = this.cache.dir;
      if (DISK_FULL.has(code)) {
        throw new RfsError('RFS_DISK_FULL', `writing to the cache ${dir}: ${code === 'EROFS' ? 'read-only file system' : code === 'EDQUOT' ? 'disk quota exceeded' : 'no space left on device'}`, {
          subject: dir, cause, hint: 'free space there, or point --cache-dir at a disk with room',
        });
      }
      throw new RfsError('RFS_OUTPUT', `writing to the cache ${dir}: ${cause instanceof Error ? cause.message : code}`, {
        subject: dir, cause, hint: 'check that the cache directory is writable, or choose another with --cache-dir',
      });
    }
  }

  /** What one failed attempt means: aborted and local errors end the fetch, network ones may be retried. */
  private attemptFailure(url: string, err: unknown): unknown {
    if (this.fatal) return this.fatal;
    if (this.signal.aborted) return new RfsError('RFS_ABORTED', `fetching ${shownUrl(url)}: aborted`, { subject: url, cause: err });
    if (err instanceof RfsError || err instanceof AttemptError) return err;
    return networkError(url, err, this.deadlines);
  }

  private openOne(url: string, attempt: number, size?: number): Promise<Opened> {
    this.emit({ kind: 'fetch:start', url, attempt, ...(size !== undefined ? { bytesTotal: size } : {}) });
    return open(url, { dispatcher: this.dispatcher, deadlines: this.deadlines, signal: this.signal, ...(size !== undefined ? { size } : {}) });
  }

  /** Try each URL in order (other mirrors before the same one again); retryable failures get more rounds with exponential backoff. */
  private async withFailover<T>(urls: string[], tryOne: (url: string, attempt: number) => Promise<T>): Promise<T> {
    const live = new Set(urls);
    const failures: { url: string; error: RfsError }[] = [];
    for (let round = 0; round <= this.retries && live.size > 0; round++) {
      for (const url of urls) {
        if (!live.has(url)) continue;
        this.throwIfStopped(`fetching ${shownUrl(url)}`);
        try {
          return await tryOne(url, round + 1);
        } catch (err) {
          if (!(err instanceof AttemptError)) throw err;
          failures.push({ url, error: err.error });
          if (!err.retryable) live.delete(url);
        }
      }
      if (live.size > 0 && round < this.retries) {
        const delayMs = this.backoffMs * 2 ** round;
        const last = failures[failures.length - 1];
        for (const url of live) this.emit({ kind: 'fetch:retry', url, attempt: round + 2, reason: last?.error.message ?? '', delayMs });
        await sleep(delayMs, this.signal);
        this.throwIfStopped('fetching');
      }
    }
    // The first mirror's error names the primary URL; the rest are in details.
    const first = failures.find((f) => f.error.code !== 'RFS_FETCH_FAILED') ?? failures[0];
    if (!first) throw new RfsError('RFS_NO_MIRROR', 'fetching: no URL to try');
    if (failures.length === 1) throw first.error;
    throw new RfsError(first.error.code, first.error.message, {
      subject: first.url, cause: first.error,
      ...(first.error.hint ? { hint: first.error.hint } : {}),
      details: { attempts: failures.map((f) => ({ url: redactUrl(f.url), code: f.error.code, message: f.error.message })) },
    });
  }

  private emitDone(url: string, bytes: number, fromCache: boolean): void {
    this.emit({ kind: 'fetch:done', url, bytes, fromCache });
  }

  private sizeLimit(url: string, max: number): AttemptError {
    return new AttemptError(new RfsError('RFS_SIZE_LIMIT', `fetching ${shownUrl(url)}: larger than the limit of ${max} bytes`, { subject: url, hint: 'raise maxBytes if the file is legitimately this big' }), false);
  }

  private truncated(url: string, got: number, want: number): RfsError {
    return new RfsError('RFS_FETCH_FAILED', `fetching ${shownUrl(url)}: got ${got} of ${want} bytes`, { subject: url });
  }

  private mismatch(url: string, expected: Checksum, got: string): RfsError {
    return new RfsError('RFS_CHECKSUM_MISMATCH', `verifying ${shownUrl(url)}: ${expected.type} is ${got}, metadata says ${untrusted(expected.value, 130)}`, {
      subject: url, hint: 'the mirror may be mid-sync or the file corrupt; try another mirror',
    });
  }
}
