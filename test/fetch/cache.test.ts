// The verified cache: a hit is trusted from its verification record (size, mtime, ctime, inode)
// without re-reading the file; any change to the file makes it hashed again, and rejected and
// refetched when it no longer matches. Downloads kept in memory come back with their bytes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Fetcher } from '../../src/fetch/index.js';
import type { Checksum } from '../../src/types/index.js';
import { startStaticServer, type StaticServer } from '../helpers/http-server.js';

const sha256 = (b: Uint8Array | string): Checksum => ({ type: 'sha256', value: createHash('sha256').update(b).digest('hex') });

describe('verified cache', () => {
  let root: string;
  let srv: StaticServer;
  const body = Buffer.from('y'.repeat(200_000) + 'tail');
  const sum = sha256(body);
  const fetchers: Fetcher[] = [];
  const make = (cacheDir = mkdtempSync(join(root, 'cache-'))): Fetcher => {
    const f = new Fetcher({ cacheDir, backoffMs: 5, retries: 1, timeoutMs: 2000 });
    fetchers.push(f);
    return f;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'rfs-cache-'));
    mkdirSync(join(root, 'srv', 'Packages'), { recursive: true });
    writeFileSync(join(root, 'srv', 'Packages', 'p.rpm'), body);
    srv = await startStaticServer([{ prefix: '/', dir: join(root, 'srv') }]);
  });
  afterEach(() => { srv.clearFaults(); srv.requests.length = 0; });
  afterAll(async () => {
    for (const f of fetchers) await f.close();
    await srv.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('trusts an untouched entry without hashing it, also from another Fetcher on the same cache', async () => {
    const f = make();
    const r1 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length });
    expect(existsSync(`${r1.path}.verified`)).toBe(true);
    const r2 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length });
    expect(r2).toMatchObject({ path: r1.path, fromCache: true });
    expect(f.cache.stats).toEqual({ trusted: 1, hashed: 0, rejected: 0 });
    const g = make(f.cache.dir);
    expect((await g.fetchFile([srv.url], 'Packages/p.rpm', sum)).fromCache).toBe(true);
    expect(g.cache.stats).toEqual({ trusted: 1, hashed: 0, rejected: 0 });
    expect(srv.requests).toEqual(['/Packages/p.rpm']);
  });

  it('re-verifies a tampered entry (same size, new mtime), rejects it and fetches it again', async () => {
    const f = make();
    const r1 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length });
    const bad = Buffer.from(body);
    bad[10] = 0x7a;
    writeFileSync(r1.path, bad);
    utimesSync(r1.path, 1_000_000, 1_000_000);
    const r2 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length });
    expect(f.cache.stats).toEqual({ trusted: 0, hashed: 1, rejected: 1 });
    expect(r2.fromCache).toBe(false);
    expect(readFileSync(r2.path)).toEqual(body);
    expect(srv.requests).toEqual(['/Packages/p.rpm', '/Packages/p.rpm']);
    // the refetched entry has a fresh record again
    await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length });
    expect(f.cache.stats.trusted).toBe(1);
  });

  it('catches a rewrite that restores the old mtime (the ctime still moves)', async () => {
    const f = make();
    const r1 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum);
    const st = statSync(r1.path);
    const bad = Buffer.from(body);
    bad[0] = 0;
    writeFileSync(r1.path, bad);
    utimesSync(r1.path, st.atime, st.mtime);
    await new Promise((r) => setTimeout(r, 20));
    const r2 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum);
    expect(f.cache.stats).toMatchObject({ hashed: 1, rejected: 1 });
    expect(readFileSync(r2.path)).toEqual(body);
  });

  it('an entry without a record (an older cache) is hashed once, then trusted', async () => {
    const f = make();
    const r1 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum);
    rmSync(`${r1.path}.verified`);
    await f.fetchFile([srv.url], 'Packages/p.rpm', sum);
    await f.fetchFile([srv.url], 'Packages/p.rpm', sum);
    expect(f.cache.stats).toEqual({ trusted: 1, hashed: 1, rejected: 0 });
    expect(srv.requests).toEqual(['/Packages/p.rpm']);
  });

  it('keepInMemory returns the verified bytes for small enough downloads, never for cache hits', async () => {
    const f = make();
    const r1 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length, keepInMemory: body.length });
    expect(Buffer.concat(r1.data ?? [])).toEqual(body);
    expect(readFileSync(r1.path)).toEqual(body);
    const r2 = await f.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length, keepInMemory: body.length });
    expect(r2.fromCache).toBe(true);
    expect(r2.data).toBeUndefined();
    const g = make();
    const r3 = await g.fetchFile([srv.url], 'Packages/p.rpm', sum, { size: body.length, keepInMemory: body.length - 1 });
    expect(r3.data).toBeUndefined();
    expect(readFileSync(r3.path)).toEqual(body);
  });

  it('a download kept in memory is still checked: truncation is retried, corruption goes to the next mirror, nothing bad is cached', async () => {
    const second = await startStaticServer([{ prefix: '/', dir: join(root, 'srv') }]);
    try {
      for (const kind of ['truncate', 'corrupt'] as const) {
        srv.clearFaults();
        srv.fault(/p\.rpm/, kind, 1);
        const f = make();
        // a short body is asked for again (here: one mirror); a checksum mismatch only of other mirrors
        const urls = kind === 'truncate' ? [srv.url] : [srv.url, second.url];
        const r = await f.fetchFile(urls, 'Packages/p.rpm', sum, { size: body.length, keepInMemory: 1 << 20 });
        expect(r.url, kind).toBe(`${urls[urls.length - 1] ?? ''}Packages/p.rpm`);
        expect(Buffer.concat(r.data ?? []), kind).toEqual(body);
        expect(readFileSync(r.path)).toEqual(body);
      }
    } finally {
      await second.close();
    }
  });
});
