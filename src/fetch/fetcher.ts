// Downloads with bounded concurrency, retries with backoff, mirror failover and a verified cache.
import { open as openFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import { RfsError } from '../errors/index.js';
import type { Checksum, EventSink, RepoConfig } from '../types/index.js';
import { createDigest, digestFile } from '../util/checksum.js';
import { ContentCache } from './cache.js';
import { resolveMirrors, type MirrorSet } from './mirrors.js';
import { AttemptError, createDispatcher, open } from './transport.js';

export interface FetcherOptions {
  cacheDir: string;
  /** parallel downloads (default 4) */
  jobs?: number;
  /** extra rounds over all mirrors after the first (default 3) */
  retries?: number;
  /** headers and idle-body timeout per request (default 30 s) */
  timeoutMs?: number;
  /** first backoff delay, doubled each round (default 500 ms) */
  backoffMs?: number;
  /** largest single download (default 4 GiB) */
  maxBytes?: number;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** injected undici dispatcher (tests, custom TLS); default: EnvHttpProxyAgent */
  dispatcher?: Dispatcher;
}

export interface FetchResult {
  path: string; bytes: number; fromCache: boolean; url: string;
  /** the verified bytes as they arrived, when a download was kept in memory (FetchFileOptions.keepInMemory) */
  data?: Uint8Array[];
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
}

/** $XDG_CACHE_HOME/rootfs-assemble, else ~/.cache/rootfs-assemble. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'rootfs-assemble');
}

/** Base URL + relative path, keeping the href's own escaping. Absolute hrefs win. */
export function joinUrl(base: string, rel: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) return rel;
  return (base.endsWith('/') ? base : `${base}/`) + rel.replace(/^\/+/, '');
}

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
  private readonly timeoutMs: number;
  private readonly backoffMs: number;
  private readonly maxBytes: number;

  /** created on first HTTP request */
  private readonly dispatcher = (): Promise<Dispatcher> => {
    this.dispatcherP ??= this.injected ? Promise.resolve(this.injected) : createDispatcher(this.jobsForPool);
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
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.backoffMs = opts.backoffMs ?? 500;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 ** 3;
  }

  /** Download (or reuse from the content-addressed cache) and verify; returns the file path. */
  fetchFile(urls: string[], relPath: string, expected?: Checksum, opts: FetchFileOptions = {}): Promise<FetchResult> {
    return this.limit(() => this.fetchFileNow(urls, relPath, expected, opts));
  }

  /** Small documents (repomd.xml, mirrorlists); never cached. Several URLs are mirrors in order. */
  fetchBytes(url: string | string[], opts: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const urls = Array.isArray(url) ? url : [url];
    const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
    return this.limit(() => this.withFailover(urls, async (u, attempt) => {
      const o = await this.openOne(u, attempt);
      const parts: Uint8Array[] = [];
      let n = 0;
      for await (const c of o.body) {
        n += c.length;
        if (n > maxBytes) { o.cancel(); throw this.sizeLimit(u, maxBytes); }
        parts.push(c);
      }
      if (o.size !== undefined && n !== o.size) throw new AttemptError(this.truncated(u, n, o.size), true);
      this.emitDone(u, n, false);
      return Buffer.concat(parts);
    }));
  }

  /** Base URLs of a repo in failover order (baseurl, then mirrorlist/metalink mirrors). */
  resolveMirrors(repo: RepoConfig): Promise<MirrorSet> {
    return resolveMirrors(repo, (u) => this.fetchBytes(u, { maxBytes: 4 * 1024 * 1024 }), this.opts.onEvent);
  }

  async close(): Promise<void> {
    if (this.ownsDispatcher && this.dispatcherP) await (await this.dispatcherP).close();
  }

  private async fetchFileNow(urls: string[], relPath: string, expected: Checksum | undefined, opts: FetchFileOptions): Promise<FetchResult> {
    if (urls.length === 0 && !/^[a-z]+:/i.test(relPath)) {
      throw new RfsError('RFS_NO_MIRROR', `fetching ${relPath}: no base URL to fetch from`, { subject: relPath });
    }
    const candidates = urls.length ? [...new Set(urls.map((b) => joinUrl(b, relPath)))] : [relPath];
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
    const o = await open(url, { dispatcher: this.dispatcher, timeoutMs: this.timeoutMs });
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
    const want = size ?? o.size;
    const inMemory = keep > 0 && want !== undefined && want <= keep;
    const temp = this.cache.tempPath();
    const hash = createDigest(expected?.type ?? 'sha256');
    let fh: FileHandle | null = null;
    let batch: Uint8Array[] = [];
    let batchBytes = 0;
    let written = 0;
    const flush = async (): Promise<void> => {
      if (batchBytes === 0) return;
      fh ??= await openFile(temp, 'w');
      await fh.writev(batch, written);
      written += batchBytes;
      batch = [];
      batchBytes = 0;
    };
    let n = 0;
    let next = PROGRESS_STEP;
    try {
      for await (const c of o.body) {
        if (n + c.length > maxBytes) { o.cancel(); throw this.sizeLimit(url, maxBytes); }
        if (want !== undefined && n + c.length > want) { o.cancel(); throw new AttemptError(this.truncated(url, n + c.length, want), true); }
        hash.update(c);
        batch.push(c); // undici hands over each chunk (never reused): no copy needed
        batchBytes += c.length;
        if (!inMemory && batchBytes >= WRITE_BATCH) await flush();
        n += c.length;
        if (n >= next) {
          next = n + PROGRESS_STEP;
          this.opts.onEvent?.({ kind: 'fetch:progress', url, bytes: n, ...(o.size !== undefined ? { bytesTotal: o.size } : {}) });
        }
      }
      if (want !== undefined && n !== want) throw new AttemptError(this.truncated(url, n, want), true);
      const got = hash.digest('hex');
      if (expected && got !== expected.value.toLowerCase()) throw new AttemptError(this.mismatch(url, expected, got), true);
      const kept = inMemory ? batch : null;
      await flush();
      fh ??= await openFile(temp, 'w'); // an empty file
      await (fh as FileHandle | null)?.close();
      fh = null;
      const path = this.cache.commit(temp, expected ?? { type: 'sha256', value: got }, relPath);
      this.emitDone(url, n, false);
      return { path, bytes: n, fromCache: false, url, ...(kept ? { data: kept } : {}) };
    } catch (err) {
      await (fh as FileHandle | null)?.close().catch(() => undefined);
      await rm(temp, { force: true });
      if (err instanceof AttemptError || err instanceof RfsError) throw err;
      if (this.opts.signal?.aborted) throw new RfsError('RFS_ABORTED', `fetching ${url}: aborted`, { subject: url, cause: err });
      throw new AttemptError(new RfsError('RFS_FETCH_FAILED', `fetching ${url}: ${err instanceof Error ? err.message : String(err)}`, { subject: url, cause: err }), true);
    }
  }

  private async openOne(url: string, attempt: number, size?: number): Promise<{ body: AsyncIterable<Uint8Array>; size: number | undefined; cancel(): void }> {
    this.opts.onEvent?.({ kind: 'fetch:start', url, attempt, ...(size !== undefined ? { bytesTotal: size } : {}) });
    return open(url, { dispatcher: this.dispatcher, timeoutMs: this.timeoutMs, ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
  }

  /** Try each URL in order; retryable failures get more rounds with exponential backoff. */
  private async withFailover<T>(urls: string[], tryOne: (url: string, attempt: number) => Promise<T>): Promise<T> {
    const live = new Set(urls);
    const failures: { url: string; error: RfsError }[] = [];
    for (let round = 0; round <= this.retries && live.size > 0; round++) {
      for (const url of urls) {
        if (!live.has(url)) continue;
        if (this.opts.signal?.aborted) throw new RfsError('RFS_ABORTED', `fetching ${url}: aborted`, { subject: url });
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
        for (const url of live) this.opts.onEvent?.({ kind: 'fetch:retry', url, attempt: round + 2, reason: last?.error.message ?? '', delayMs });
        await sleep(delayMs, this.opts.signal);
      }
    }
    // The first mirror's error names the primary URL; the rest are in details.
    const first = failures.find((f) => f.error.code !== 'RFS_FETCH_FAILED') ?? failures[0];
    if (!first) throw new RfsError('RFS_NO_MIRROR', 'fetching: no URL to try');
    if (failures.length === 1) throw first.error;
    throw new RfsError(first.error.code, first.error.message, {
      subject: first.url, cause: first.error,
      ...(first.error.hint ? { hint: first.error.hint } : {}),
      details: { attempts: failures.map((f) => ({ url: f.url, code: f.error.code, message: f.error.message })) },
    });
  }

  private emitDone(url: string, bytes: number, fromCache: boolean): void {
    this.opts.onEvent?.({ kind: 'fetch:done', url, bytes, fromCache });
  }

  private sizeLimit(url: string, max: number): AttemptError {
    return new AttemptError(new RfsError('RFS_SIZE_LIMIT', `fetching ${url}: larger than the limit of ${max} bytes`, { subject: url, hint: 'raise maxBytes if the file is legitimately this big' }), false);
  }

  private truncated(url: string, got: number, want: number): RfsError {
    return new RfsError('RFS_FETCH_FAILED', `fetching ${url}: got ${got} of ${want} bytes`, { subject: url });
  }

  private mismatch(url: string, expected: Checksum, got: string): RfsError {
    return new RfsError('RFS_CHECKSUM_MISMATCH', `verifying ${url}: ${expected.type} is ${got}, metadata says ${expected.value}`, {
      subject: url, hint: 'the mirror may be mid-sync or the file corrupt; try another mirror',
    });
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) { reject(new RfsError('RFS_ABORTED', 'aborted')); return; }
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(new RfsError('RFS_ABORTED', 'aborted')); };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
