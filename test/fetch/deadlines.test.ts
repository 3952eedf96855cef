// RFS_FETCH_DEADLINES parsing, the deadlines a Fetcher ends up with, and the rule that URLs
// built from remote metadata stay http(s).
import { describe, expect, it } from 'vitest';
import { isRfsError } from '../../src/errors/index.js';
import { DEFAULT_DEADLINES, deadlinesFromEnv, totalDeadlineMs } from '../../src/fetch/deadlines.js';
import { Fetcher, joinUrl } from '../../src/fetch/index.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('RFS_FETCH_DEADLINES', () => {
  it('reads any subset, in seconds', () => {
    expect(deadlinesFromEnv(undefined)).toEqual({});
    expect(deadlinesFromEnv(' ')).toEqual({});
    expect(deadlinesFromEnv('connect=15,idle=2.5,speed=100/1,redirects=3')).toEqual({
      connectMs: 15_000, idleMs: 2500, lowSpeedBytes: 100, lowSpeedWindowMs: 1000, maxRedirects: 3,
    });
    expect(deadlinesFromEnv('speed=0/30')).toEqual({ lowSpeedBytes: 0, lowSpeedWindowMs: 30_000 });
    expect(deadlinesFromEnv('total=2,total-rate=1000,total-nosize=0.5')).toEqual({ totalMs: 2000, totalRate: 1000, totalNoSizeMs: 500 });
  });

  it('derives the total deadline from the declared size, a fixed cap without one', () => {
    const d = { ...DEFAULT_DEADLINES, totalMs: 2000, totalRate: 1000, totalNoSizeMs: 500 };
    expect(totalDeadlineMs(d, 3000)).toBe(5000);
    expect(totalDeadlineMs(d, undefined)).toBe(500);
    expect(totalDeadlineMs({ ...d, totalMs: 0 }, 3000)).toBe(Infinity);
    // the defaults: a 100 MB package gets hours, never forever
    expect(totalDeadlineMs(DEFAULT_DEADLINES, 100e6)).toBeGreaterThan(3600_000);
    expect(totalDeadlineMs(DEFAULT_DEADLINES, 100e6)).toBeLessThan(24 * 3600_000);
    expect(totalDeadlineMs(DEFAULT_DEADLINES, undefined)).toBe(1_800_000);
  });

  it('refuses what it cannot read, as RFS_BAD_CONFIG', () => {
    for (const bad of ['idle', 'idle=-1', 'idle=0', 'speed=100', 'speed=a/b', 'timeout=3', 'connect=1s', 'total-rate=0', 'total=x']) {
      let err: unknown;
      try { deadlinesFromEnv(bad); } catch (e) { err = e; }
      expect(isRfsError(err) && err.code, bad).toBe('RFS_BAD_CONFIG');
    }
  });

  it('defaults leave room for slow mirrors but catch a drip within a minute', () => {
    expect(DEFAULT_DEADLINES.idleMs).toBe(30_000);
    expect(DEFAULT_DEADLINES.connectMs).toBe(15_000);
    // a byte a second is far below the floor; a 1 KiB/s link is well above it
    expect(DEFAULT_DEADLINES.lowSpeedWindowMs).toBeLessThanOrEqual(60_000);
    expect(DEFAULT_DEADLINES.lowSpeedBytes).toBeGreaterThan(DEFAULT_DEADLINES.lowSpeedWindowMs / 1000);
    expect(DEFAULT_DEADLINES.lowSpeedBytes).toBeLessThan(1024 * DEFAULT_DEADLINES.lowSpeedWindowMs / 1000);
  });

  it('a bad value fails the first fetch, not the constructor', async () => {
    const t = tempDir('rfs-deadlines-');
    try {
      const f = new Fetcher({ cacheDir: t.dir, env: { RFS_FETCH_DEADLINES: 'idle=soon' } });
      let err: unknown;
      try { await f.fetchBytes('http://127.0.0.1:9/x'); } catch (e) { err = e; }
      expect(isRfsError(err) && err.code).toBe('RFS_BAD_CONFIG');
      await f.close();
    } finally {
      t.cleanup();
    }
  });
});

describe('joinUrl', () => {
  it('joins relative hrefs and keeps their escaping', () => {
    expect(joinUrl('http://m/os', 'Packages/a%2Bb.rpm')).toBe('http://m/os/Packages/a%2Bb.rpm');
    expect(joinUrl('http://m/os/', '/Packages/a.rpm')).toBe('http://m/os/Packages/a.rpm');
    expect(joinUrl('http://m/os/', '//evil/x.rpm')).toBe('http://m/os/evil/x.rpm');
  });

  it('lets an absolute href name another http(s) URL, or anything from a local base', () => {
    expect(joinUrl('https://m/os/', 'http://other/x.rpm')).toBe('http://other/x.rpm');
    expect(joinUrl('file:///srv/os/', 'file:///srv/other/x.rpm')).toBe('file:///srv/other/x.rpm');
  });

  it('never turns a remote base into file: or another scheme', () => {
    for (const href of ['file:///etc/shadow', 'FILE:/etc/passwd', 'ftp://h/x', 'data:,x', 'javascript:alert(1)']) {
      let err: unknown;
      try { joinUrl('http://m/os/', href); } catch (e) { err = e; }
      expect(isRfsError(err) && err.code, href).toBe('RFS_METADATA_MALFORMED');
      expect(String((err as Error).message)).toMatch(/may only point at http\(s\) URLs/);
    }
  });
});

describe('fetchFile with a remote origin', () => {
  it('refuses a file: base (an xml:base from remote metadata) before opening anything', async () => {
    const t = tempDir('rfs-origin-');
    try {
      const f = new Fetcher({ cacheDir: t.dir });
      let err: unknown;
      try { await f.fetchFile(['file:///etc/'], 'passwd', undefined, { origin: 'http://mirror.example/os/' }); } catch (e) { err = e; }
      expect(isRfsError(err) && err.code).toBe('RFS_METADATA_MALFORMED');
      expect(String((err as Error).message)).toMatch(/metadata from http:\/\/mirror\.example\/os\/ points at file:\/\/\/etc\/passwd/);
      // the same base is fine when the metadata itself is local
      const ok = await new Fetcher({ cacheDir: t.dir }).fetchFile(['file:///etc/'], 'passwd', undefined, { origin: 'file:///srv/os/' });
      expect(ok.path).toBe('/etc/passwd');
      await f.close();
    } finally {
      t.cleanup();
    }
  });
});
