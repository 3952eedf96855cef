import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher, defaultCacheDir, parseMetalink, parseMirrorlist } from '../../src/fetch/index.js';
import { isRfsError, type RfsError } from '../../src/errors/index.js';
import type { AssembleEvent, Checksum } from '../../src/types/index.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';

const sha256 = (b: Uint8Array | string): Checksum => ({ type: 'sha256', value: createHash('sha256').update(b).digest('hex') });

async function caught(p: Promise<unknown>): Promise<RfsError> {
  try { await p; } catch (e) { if (isRfsError(e)) return e; throw e; }
  throw new Error('expected a rejection');
}

describe('Fetcher', () => {
  let root: string;
  let a: StaticServer;
  let b: StaticServer;
  const body = Buffer.from('x'.repeat(300_000) + 'the end');
  const sum = sha256(body);
  const fetchers: Fetcher[] = [];
  const make = (events?: AssembleEvent[], extra: Partial<ConstructorParameters<typeof Fetcher>[0]> = {}): Fetcher => {
    const f = new Fetcher({ cacheDir: mkdtempSync(join(root, 'cache-')), backoffMs: 5, retries: 2, timeoutMs: 2000, ...(events ? { onEvent: (e) => events.push(e) } : {}), ...extra });
    fetchers.push(f);
    return f;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rfs-fetch-'));
    mkdirSync(join(root, 'a', 'Packages'), { recursive: true });
    mkdirSync(join(root, 'b', 'Packages'), { recursive: true });
    writeFileSync(join(root, 'a', 'Packages', 'p.rpm'), body);
    writeFileSync(join(root, 'b', 'Packages', 'p.rpm'), body);
    a = await startStaticServer([{ prefix: '/', dir: join(root, 'a') }]);
    b = await startStaticServer([{ prefix: '/', dir: join(root, 'b') }]);
  });
  afterEach(() => { a.clearFaults(); b.clearFaults(); a.requests.length = 0; b.requests.length = 0; });
  afterAll(async () => {
    for (const f of fetchers) await f.close();
    await a.close(); await b.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('downloads, verifies, and a second run is a cache hit with no request', async () => {
    const events: AssembleEvent[] = [];
    const f = make(events);
    const r1 = await f.fetchFile([a.url], 'Packages/p.rpm', sum, { size: body.length });
    expect(r1).toMatchObject({ bytes: body.length, fromCache: false, url: `${a.url}Packages/p.rpm` });
    expect(readFileSync(r1.path)).toEqual(body);
    expect(r1.path).toContain(sum.value);
    const r2 = await f.fetchFile([a.url], 'Packages/p.rpm', sum, { size: body.length });
    expect(r2).toMatchObject({ path: r1.path, fromCache: true });
    expect(a.requests).toEqual(['/Packages/p.rpm']);
    expect(events.filter((e) => e.kind === 'fetch:done').map((e) => e.kind === 'fetch:done' && e.fromCache)).toEqual([false, true]);
    expect(events.some((e) => e.kind === 'fetch:start' && e.bytesTotal === body.length)).toBe(true);
  });

  it('detects a corrupt or partial cached file and fetches it again', async () => {
    const f = make();
    const r1 = await f.fetchFile([a.url], 'Packages/p.rpm', sum);
    writeFileSync(r1.path, body.subarray(0, 1000));
    const r2 = await f.fetchFile([a.url], 'Packages/p.rpm', sum);
    expect(r2.fromCache).toBe(false);
    expect(readFileSync(r2.path)).toEqual(body);
    expect(a.requests.length).toBe(2);
  });

  it('retries server errors with backoff, then succeeds', async () => {
    const events: AssembleEvent[] = [];
    a.fault(/p\.rpm/, 'status500', 2);
    const r = await make(events).fetchFile([a.url], 'Packages/p.rpm', sum);
    expect(r.fromCache).toBe(false);
    expect(a.requests.length).toBe(3);
    expect(events.filter((e) => e.kind === 'fetch:retry').map((e) => e.kind === 'fetch:retry' && e.delayMs)).toEqual([5, 10]);
  });

  it('retries a dropped connection', async () => {
    a.fault(/p\.rpm/, 'reset', 1);
    expect((await make().fetchFile([a.url], 'Packages/p.rpm', sum)).bytes).toBe(body.length);
  });

  it('fails over to the next mirror on 404, corrupt and truncated files', async () => {
    for (const kind of ['status404', 'corrupt', 'truncate'] as const) {
      a.clearFaults();
      a.fault(/p\.rpm/, kind);
      const r = await make().fetchFile([a.url, b.url], 'Packages/p.rpm', sum, { size: body.length });
      expect(r.url, kind).toBe(`${b.url}Packages/p.rpm`);
      expect(readFileSync(r.path)).toEqual(body);
    }
  });

  it('a 404 everywhere is RFS_HTTP_STATUS naming the URL, with a hint', async () => {
    const e = await caught(make().fetchFile([a.url], 'Packages/missing.rpm', sum));
    expect(e.code).toBe('RFS_HTTP_STATUS');
    expect(e.message).toContain(`${a.url}Packages/missing.rpm`);
    expect(e.message).toContain('404');
    expect(e.hint).toMatch(/release\/arch.*vault/);
    expect(a.requests).toEqual(['/Packages/missing.rpm']); // 404 is not retried
  });

  it('a checksum mismatch on every mirror is RFS_CHECKSUM_MISMATCH, and nothing is left in the cache', async () => {
    const f = make();
    const e = await caught(f.fetchFile([a.url, b.url], 'Packages/p.rpm', sha256('something else')));
    expect(e.code).toBe('RFS_CHECKSUM_MISMATCH');
    expect(e.subject).toBe(`${a.url}Packages/p.rpm`);
    // one attempt per mirror: a wrong checksum from a URL is not asked for again
    expect((e.details as { attempts: unknown[] }).attempts.length).toBe(2);
    const tmpDir = join(f.cache.dir, 'tmp');
    expect(existsSync(tmpDir) ? readdirSync(tmpDir) : []).toEqual([]);
    expect(existsSync(join(f.cache.dir, 'files'))).toBe(false);
  });

  it('enforces maxBytes with RFS_SIZE_LIMIT', async () => {
    const e = await caught(make(undefined, { maxBytes: 1000 }).fetchFile([a.url], 'Packages/p.rpm', sum));
    expect(e.code).toBe('RFS_SIZE_LIMIT');
    const e2 = await caught(make().fetchBytes(`${a.url}Packages/p.rpm`, { maxBytes: 10 }));
    expect(e2.code).toBe('RFS_SIZE_LIMIT');
  });

  it('times out a stalled server and moves on', async () => {
    a.fault(/p\.rpm/, 'delay', Number.POSITIVE_INFINITY, { delayMs: 5000 });
    const r = await make(undefined, { timeoutMs: 300, retries: 0 }).fetchFile([a.url, b.url], 'Packages/p.rpm', sum);
    expect(r.url).toBe(`${b.url}Packages/p.rpm`);
  });

  it('verifies file:// URLs in place', async () => {
    const base = pathToFileURL(join(root, 'a')).href;
    const f = make();
    const r = await f.fetchFile([base], 'Packages/p.rpm', sum);
    expect(r.path).toBe(join(root, 'a', 'Packages', 'p.rpm'));
    expect(Buffer.from(await f.fetchBytes(`${base}/Packages/p.rpm`))).toEqual(body);
    // a failed fetch stops its Fetcher: each failure gets a fresh one
    expect((await caught(make().fetchFile([base], 'Packages/p.rpm', sha256('x')))).code).toBe('RFS_CHECKSUM_MISMATCH');
    expect((await caught(make().fetchFile([base], 'Packages/nope.rpm', sum))).code).toBe('RFS_HTTP_STATUS');
  });

  it('bounds concurrency to jobs', async () => {
    const f = make(undefined, { jobs: 2 });
    a.fault(/p\.rpm/, 'delay', Number.POSITIVE_INFINITY, { delayMs: 150 });
    let active = 0; let peak = 0;
    const f2 = new Fetcher({ cacheDir: f.cache.dir, jobs: 2, onEvent: (e) => {
      if (e.kind === 'fetch:start') { active++; peak = Math.max(peak, active); }
      if (e.kind === 'fetch:done') active--;
    } });
    fetchers.push(f2);
    await Promise.all([0, 1, 2, 3, 4].map((i) => f2.fetchBytes(`${a.url}Packages/p.rpm?${i}`)));
    expect(peak).toBe(2);
  });

  it('default cache dir follows XDG_CACHE_HOME', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/rootfs-assemble');
    expect(defaultCacheDir({ HOME: '/home/u' })).toMatch(/\.cache\/rootfs-assemble$/);
  });
});

describe('mirror lists', () => {
  it('parses mirrorlist text', () => {
    expect(parseMirrorlist('# comment\nhttp://a/centos/4.9/os/i386\n\nhttps://b/x/\nnot a url\n')).toEqual(['http://a/centos/4.9/os/i386/', 'https://b/x/']);
  });
  it('parses a MirrorManager metalink: preference order and repomd hashes incl. alternates', async () => {
    const ml = `<?xml version="1.0" encoding="utf-8"?>
<metalink version="3.0" xmlns="http://www.metalinker.org/" xmlns:mm0="http://fedorahosted.org/mirrormanager">
 <files><file name="repomd.xml">
  <mm0:timestamp>1</mm0:timestamp><size>4459</size>
  <verification><hash type="md5">aa</hash><hash type="sha256">${'ab'.repeat(32)}</hash></verification>
  <mm0:alternates><mm0:alternate><mm0:timestamp>0</mm0:timestamp><verification><hash type="sha256">${'cd'.repeat(32)}</hash></verification></mm0:alternate></mm0:alternates>
  <resources maxconnections="1">
   <url protocol="https" type="https" location="US" preference="90">https://m2/9-stream/BaseOS/x86_64/os/repodata/repomd.xml</url>
   <url protocol="rsync" type="rsync" location="US" preference="100">rsync://m1/x/repodata/repomd.xml</url>
   <url protocol="https" type="https" location="DE" preference="100">https://m1/9-stream/BaseOS/x86_64/os/repodata/repomd.xml</url>
  </resources>
 </file></files></metalink>`;
    const set = await parseMetalink(ml, 'https://mirrors/metalink');
    expect(set.baseUrls).toEqual(['https://m1/9-stream/BaseOS/x86_64/os/', 'https://m2/9-stream/BaseOS/x86_64/os/']);
    expect(set.repomdChecksums).toEqual([{ type: 'md5', value: 'aa' }, { type: 'sha256', value: 'ab'.repeat(32) }, { type: 'sha256', value: 'cd'.repeat(32) }]);
  });
});
