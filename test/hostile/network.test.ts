// The hostile-mirror suite, network faults: a mirror that resets, cuts bodies short, stalls,
// drips, announces absurd lengths, redirects in loops or to local files, or a cache disk that
// fills up. Every fault must end in a stable code and exit status, quickly, with retries only
// where they can help, and with the first fatal error stopping all other transfers.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Agent } from 'undici';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_CODES, isRfsError, type RfsError } from '../../src/errors/index.js';
import { Fetcher, type FetcherOptions } from '../../src/fetch/index.js';
import { loadRepo } from '../../src/metadata/load.js';
import type { Checksum } from '../../src/types/index.js';
import { BIN, ROOT, run } from '../e2e/helpers.js';
import { fixtureRepo, fixturesAvailable } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';
import { startHostileServer, type Act, type HostileServer } from './network-server.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[hostile network] skipped: ${avail.reason}`);
const DIST = join(ROOT, 'dist', 'fetch', 'deadlines.js');
const distReason = existsSync(DIST) ? '' : 'dist not built (npx tsc -p tsconfig.json)';
if (avail.ok && distReason) console.warn(`[hostile network] CLI tests skipped: ${distReason}`);

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('[hostile network] https downgrade test skipped: openssl not installed (needed for a test certificate)');
const BASH = 'CentOS/RPMS/bash-3.0-21.el4.x86_64.rpm';
const REPOMD = /\/repodata\/repomd\.xml$/;
const BASH_RE = /bash-3\.0-21/;
const FAST: Partial<FetcherOptions> = {
  retries: 2, backoffMs: 10, timeoutMs: 400, connectTimeoutMs: 1000, lowSpeedBytes: 200, lowSpeedWindowMs: 500,
};

async function caught(p: Promise<unknown>): Promise<RfsError> {
  try { await p; } catch (e) { if (isRfsError(e)) return e; throw e; }
  throw new Error('expected a rejection');
}

describe.skipIf(!avail.ok)('hostile mirror: network faults', () => {
  const scratch = tempDir('rfs-hostile-net-');
  let srv: HostileServer;
  let repoDir: string;
  let bashSum: Checksum;
  let bashSize: number;
  const fetchers: Fetcher[] = [];
  let n = 0;
  const make = (extra: Partial<FetcherOptions> = {}): Fetcher => {
    const f = new Fetcher({ cacheDir: join(scratch.dir, `cache-${n++}`), ...FAST, ...extra });
    fetchers.push(f);
    return f;
  };

  beforeAll(async () => {
    repoDir = fixtureRepo('el4-os');
    const bash = readFileSync(join(repoDir, BASH));
    bashSum = { type: 'sha256', value: createHash('sha256').update(bash).digest('hex') };
    bashSize = bash.length;
    srv = await startHostileServer(repoDir);
  });
  afterEach(async () => {
    for (const f of fetchers.splice(0)) await f.close();
    srv.reset();
  });
  afterAll(async () => {
    await srv?.close();
    scratch.cleanup();
  });

  // repomd.xml goes through the metadata loader (as a build does), a package through fetchFile
  const targets = {
    'repomd.xml': {
      re: REPOMD,
      get: (f: Fetcher) => loadRepo({ id: 'os', baseurl: [srv.url], enabled: true }, f, { arch: 'x86_64', cacheDir: join(scratch.dir, `pool-${n++}`), noPoolCache: true }),
    },
    package: {
      re: BASH_RE,
      get: (f: Fetcher) => f.fetchFile([srv.url], BASH, bashSum, { size: bashSize }),
    },
  } as const;

  for (const [name, t] of Object.entries(targets)) {
    describe(name, () => {
      const cases: [string, Act][] = [
        ['a connection reset', { kind: 'reset' }],
        ['a short body', { kind: 'short' }],
        ['a 500', { kind: 'status', status: 500 }],
        ['a 503', { kind: 'status', status: 503 }],
        ['a 429', { kind: 'status', status: 429 }],
      ];
      for (const [what, fault] of cases) {
        it(`${what} is retried and then succeeds`, async () => {
          srv.script(t.re, [fault, { kind: 'file' }]);
          await t.get(make());
          expect(srv.hitsOf(t.re).map((h) => h.act)).toEqual([fault.kind, 'file']);
        });
      }

      // the stall is caught by the idle deadline alone (the low-speed one is off for it)
      // [what, fault, message, options, attempts]: a crawl is not asked of the same URL again
      const lasting: [string, Act, RegExp, Partial<FetcherOptions>, number][] = [
        ['a connection reset', { kind: 'reset' }, /reset|closed|socket/i, {}, 3],
        ['a short body', { kind: 'short' }, /closed by the server|got \d+ of \d+ bytes/, {}, 3],
        ['a stalled body', { kind: 'stall-body' }, /no data for 0\.4 s/, { lowSpeedBytes: 0 }, 3],
        ['a server that never answers', { kind: 'stall-headers' }, /no response headers within 0\.4 s/, {}, 3],
        ['a 1-byte drip', { kind: 'drip', everyMs: 40 }, /too slow \(\d+ bytes in 0\.5 s, the minimum is 200\)/, {}, 1],
      ];
      for (const [what, fault, msg, extra, attempts] of lasting) {
        it(`${what} every time: RFS_FETCH_FAILED (exit 3) after ${attempts} attempt(s), within the deadlines`, async () => {
          srv.script(t.re, [fault]);
          const t0 = Date.now();
          const e = await caught(t.get(make(extra)));
          const ms = Date.now() - t0;
          expect(e.code, e.message).toBe('RFS_FETCH_FAILED');
          expect(e.exitCode).toBe(3);
          expect(e.message).toMatch(msg);
          expect(srv.hitsOf(t.re)).toHaveLength(attempts); // retries: 2
          // 3 attempts of ~0.5 s each (undici's timeouts fire up to ~1 s late) plus 30 ms of backoff
          expect(ms).toBeLessThan(8000);
        });
      }

      it('a huge Content-Length fails at once with RFS_SIZE_LIMIT (exit 4), nothing read, no retry', async () => {
        srv.script(t.re, [{ kind: 'huge' }]);
        const t0 = Date.now();
        const e = await caught(t.get(make()));
        expect(e.code).toBe('RFS_SIZE_LIMIT');
        expect(e.exitCode).toBe(4);
        expect(srv.hitsOf(t.re)).toHaveLength(1);
        expect(Date.now() - t0).toBeLessThan(1000);
      });

      it('a 404 is RFS_HTTP_STATUS (exit 3) and not retried', async () => {
        srv.script(t.re, [{ kind: 'status', status: 404 }]);
        const e = await caught(t.get(make()));
        expect(e.code).toBe('RFS_HTTP_STATUS');
        expect(e.exitCode).toBe(3);
        expect(srv.hitsOf(t.re)).toHaveLength(1);
      });

      it('a 403 and a 401 are not retried either', async () => {
        for (const status of [403, 401]) {
          srv.reset();
          srv.script(t.re, [{ kind: 'status', status }]);
          expect((await caught(t.get(make()))).code).toBe('RFS_HTTP_STATUS');
          expect(srv.hitsOf(t.re)).toHaveLength(1);
        }
      });

      it('a redirect loop is refused, not followed until a limit', async () => {
        srv.script(t.re, [{ kind: 'redirect', to: '/loop/b' }]);
        srv.script(/^\/loop\/b$/, [{ kind: 'redirect', to: `${srv.url}${name === 'package' ? BASH : 'repodata/repomd.xml'}` }]);
        const e = await caught(t.get(make()));
        expect(e.code).toBe('RFS_FETCH_FAILED');
        expect(e.message).toMatch(/redirect loop/);
        expect(srv.hitsOf(t.re)).toHaveLength(1);
      });

      it('a redirect to file: or another scheme is refused and nothing local is read', async () => {
        for (const to of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'data:text/plain,hello']) {
          srv.reset();
          srv.script(t.re, [{ kind: 'redirect', to, status: 301 }]);
          const e = await caught(t.get(make()));
          expect(e.code, to).toBe('RFS_FETCH_FAILED');
          expect(e.message).toMatch(/redirect to a (file|ftp|data): URL refused/);
          expect(srv.hitsOf(t.re), to).toHaveLength(1);
        }
      });
    });
  }

  it('follows a legitimate redirect, and refuses more than maxRedirects hops', async () => {
    srv.script(BASH_RE, [{ kind: 'redirect', to: '/hop/1' }]);
    srv.script(/^\/hop\/1$/, [{ kind: 'redirect', to: '/hop/2', status: 307 }]);
    srv.script(/^\/hop\/2$/, [{ kind: 'redirect', to: '/final', status: 308 }]);
    srv.script(/^\/final$/, [{ kind: 'file', path: `/${BASH}` }]);
    const r = await make().fetchFile([srv.url], BASH, bashSum, { size: bashSize });
    expect(r.bytes).toBe(bashSize);
    expect(srv.hits.map((h) => h.path)).toEqual([`/${BASH}`, '/hop/1', '/hop/2', '/final']);
    srv.reset();
    srv.script(BASH_RE, [{ kind: 'redirect', to: '/hop/1' }]);
    srv.script(/^\/hop\/1$/, [{ kind: 'redirect', to: '/hop/2' }]);
    srv.script(/^\/hop\/2$/, [{ kind: 'redirect', to: '/hop/3' }]);
    const e = await caught(make({ maxRedirects: 2 }).fetchFile([srv.url], BASH, bashSum));
    expect(e.message).toMatch(/more than 2 redirects/);
    expect(srv.hitsOf(/^\/hop\/3$/)).toHaveLength(0);
  });

  it('a server that accepts TCP but never completes the TLS handshake hits the connect deadline', async () => {
    const held = new Set<Socket>();
    const tcp = net.createServer((sock) => { held.add(sock); sock.on('close', () => held.delete(sock)); });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    try {
      const port = (tcp.address() as AddressInfo).port;
      const t0 = Date.now();
      const e = await caught(make({ connectTimeoutMs: 300, retries: 1 }).fetchBytes(`https://127.0.0.1:${port}/repodata/repomd.xml`));
      expect(e.code).toBe('RFS_FETCH_FAILED');
      expect(e.message).toMatch(/no connection within 0\.3 s/);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      for (const sock of held) sock.destroy();
      await new Promise((r) => tcp.close(r));
    }
  });

  it.skipIf(!hasOpenssl)('refuses a redirect from https down to http; an untrusted certificate is not retried', async () => {
    const keyDir = join(scratch.dir, 'tls');
    mkdirSync(keyDir, { recursive: true });
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
      '-keyout', join(keyDir, 'key.pem'), '-out', join(keyDir, 'cert.pem')], { encoding: 'utf8' });
    expect(gen.status, gen.stderr).toBe(0);
    const tls = https.createServer({ key: readFileSync(join(keyDir, 'key.pem')), cert: readFileSync(join(keyDir, 'cert.pem')) }, (req, res) => {
      res.writeHead(302, { Location: `${srv.url}${BASH}`, 'Content-Length': 0 });
      res.end();
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    let connections = 0;
    tls.on('connection', () => { connections++; });
    const agent = new Agent({ connect: { rejectUnauthorized: false } });
    try {
      const port = (tls.address() as AddressInfo).port;
      // an untrusted certificate is not a transient fault: one attempt
      const bad = await caught(make().fetchBytes(`https://127.0.0.1:${port}/x`));
      expect(bad.code).toBe('RFS_FETCH_FAILED');
      expect(bad.message).toMatch(/SELF_SIGNED|certificate/i);
      expect(connections).toBe(1);
      const e = await caught(make({ dispatcher: agent }).fetchFile([`https://127.0.0.1:${port}/`], BASH, bashSum));
      expect(e.code).toBe('RFS_FETCH_FAILED');
      expect(e.message).toMatch(/redirect from https to http refused/);
      expect(srv.hitsOf(BASH_RE)).toHaveLength(0);
    } finally {
      await agent.close();
      await new Promise((r) => tls.close(r));
    }
  });

  it('keeps credentials out of messages and events', async () => {
    srv.script(BASH_RE, [{ kind: 'status', status: 500 }]);
    const events: string[] = [];
    const withCreds = srv.url.replace('http://', 'http://alice:s3cret@');
    const e = await caught(make({ onEvent: (ev) => events.push(JSON.stringify(ev)) }).fetchFile([withCreds], BASH, bashSum));
    expect(e.code).toBe('RFS_HTTP_STATUS');
    expect(`${e.message} ${e.subject ?? ''} ${JSON.stringify(e.details)}`).not.toContain('s3cret');
    expect(events.length).toBeGreaterThan(0);
    expect(events.join('\n')).not.toContain('s3cret');
  });

  it('another mirror is tried before the same one again, and a checksum mismatch is not asked again of that URL', async () => {
    const other = await startHostileServer(repoDir);
    try {
      srv.script(BASH_RE, [{ kind: 'status', status: 503 }, { kind: 'file' }]);
      const r = await make().fetchFile([srv.url, other.url], BASH, bashSum, { size: bashSize });
      expect(r.url).toBe(`${other.url}${BASH}`);
      expect(srv.hitsOf(BASH_RE)).toHaveLength(1);
      const e = await caught(make().fetchFile([srv.url, other.url], BASH, { type: 'sha256', value: '0'.repeat(64) }, { size: bashSize }));
      expect(e.code).toBe('RFS_CHECKSUM_MISMATCH');
      expect(srv.hitsOf(BASH_RE)).toHaveLength(2);
      expect(other.hitsOf(BASH_RE)).toHaveLength(2);
    } finally {
      await other.close();
    }
  });

  it('the first fatal error stops every other transfer at once: same error everywhere, no requests after it', async () => {
    const events: string[] = [];
    let failedAt = 0;
    let eventsAtFailure = -1;
    // four more packages: stalled mid-body, stalled before headers, and two retrying 500s
    const others: [RegExp, string, Act][] = [
      [/glibc-2/, 'CentOS/RPMS/glibc-2.3.4-2.54.x86_64.rpm', { kind: 'stall-body' }],
      [/glibc-common/, 'CentOS/RPMS/glibc-common-2.3.4-2.54.x86_64.rpm', { kind: 'stall-headers' }],
      [/coreutils/, 'CentOS/RPMS/coreutils-5.2.1-31.el4.x86_64.rpm', { kind: 'status', status: 500 }],
      [/libtermcap/, 'CentOS/RPMS/libtermcap-2.0.8-39.x86_64.rpm', { kind: 'status', status: 503 }],
    ];
    for (const [re, , act] of others) srv.script(re, [act]);
    srv.script(BASH_RE, [{ kind: 'delay', ms: 300, then: { kind: 'status', status: 404 } }]);
    // long deadlines and backoff: only the abort can end the others quickly
    const f = make({ jobs: 8, retries: 5, backoffMs: 400, timeoutMs: 20_000, lowSpeedBytes: 0, onEvent: (e) => events.push(e.kind) });
    const t0 = Date.now();
    const all = [
      f.fetchFile([srv.url], BASH, bashSum).finally(() => { failedAt = Date.now(); eventsAtFailure = events.length; }),
      ...others.map(([, href]) => f.fetchFile([srv.url], href, { type: 'sha256', value: '1'.repeat(64) })),
    ].map((p) => caught(p));
    const errors = await Promise.all(all);
    const settled = Date.now();
    expect(errors[0]?.code).toBe('RFS_HTTP_STATUS');
    for (const e of errors) expect(e).toBe(errors[0]);
    expect(f.failure).toBe(errors[0]);
    expect(settled - t0).toBeLessThan(2000);
    expect(events).toContain('fetch:retry'); // the 500s were in backoff when it happened
    // a later call fails at once with the same error, without a request
    const before = srv.hits.length;
    expect(await caught(f.fetchFile([srv.url], 'CentOS/RPMS/zlib-1.2.1.2-1.2.x86_64.rpm'))).toBe(errors[0]);
    await new Promise((r) => setTimeout(r, 1000)); // longer than the first backoffs
    expect(srv.hits.length).toBe(before);
    expect(srv.hits.filter((h) => h.at > failedAt + 50)).toEqual([]);
    expect(events.length).toBe(eventsAtFailure); // nothing emitted after the failure
    // the stalled transfers were hung up on, not left open
    expect(srv.clientCloses).toBeGreaterThanOrEqual(2);
  });

  it('several repos loading at once: the failing one is reported, the others stop', async () => {
    const other = await startHostileServer(repoDir);
    try {
      srv.script(REPOMD, [{ kind: 'delay', ms: 200, then: { kind: 'status', status: 404 } }]);
      other.script(REPOMD, [{ kind: 'status', status: 503 }]);
      const f = make({ backoffMs: 300, retries: 5 });
      const opts = { arch: 'x86_64', cacheDir: join(scratch.dir, `pool-${n++}`), noPoolCache: true };
      const t0 = Date.now();
      const e = await caught(Promise.all([
        loadRepo({ id: 'other', baseurl: [other.url], enabled: true }, f, opts),
        loadRepo({ id: 'broken', baseurl: [srv.url], enabled: true }, f, opts),
      ]));
      expect(e.code).toBe('RFS_HTTP_STATUS');
      expect(e.message).toBe('fetching repomd.xml of repo broken: HTTP 404');
      expect(Date.now() - t0).toBeLessThan(1500);
      await new Promise((r) => setTimeout(r, 700));
      expect(other.hitsOf(REPOMD)).toHaveLength(1); // its retry (due at 300 ms) never came
    } finally {
      await other.close();
    }
  });

  it('a mirror list gets the same retry policy: a reset is retried, and its file:// entries are dropped', async () => {
    srv.script(/^\/mirrorlist$/, [{ kind: 'reset' }, { kind: 'text', body: `file:///etc/\n${srv.url}\n` }]);
    const warnings: string[] = [];
    const set = await make({ onEvent: (e) => { if (e.kind === 'warning') warnings.push(e.message); } })
      .resolveMirrors({ id: 'os', mirrorlist: `${srv.url}mirrorlist`, enabled: true });
    expect(set.baseUrls).toEqual([srv.url]);
    expect(srv.hitsOf(/mirrorlist/)).toHaveLength(2);
    expect(warnings.join()).toMatch(/ignored 1 non-http\(s\) mirror/);
  });

  it('a mirror list served over http cannot point at local files', async () => {
    const { resolveMirrors } = await import('../../src/fetch/index.js');
    const warnings: string[] = [];
    const body = `file:///etc/\n${srv.url}\nftp://127.0.0.1/x/\n`;
    const set = await resolveMirrors({ id: 'os', mirrorlist: `${srv.url}mirrorlist`, enabled: true }, async () => Buffer.from(body), (e) => { if (e.kind === 'warning') warnings.push(e.message); });
    expect(set.baseUrls).toEqual([srv.url]);
    expect(warnings.join()).toMatch(/ignored 2 non-http\(s\) mirror/);
  });

  describe('a full cache disk', () => {
    // a 256 KiB tmpfs: the 1.1 MB package cannot fit
    const mnt = tempDir('rfs-hostile-enospc-');
    let mounted = false;
    let why = '';
    beforeAll(() => {
      if (process.getuid?.() !== 0) { why = 'mounting a tmpfs in this process needs root'; return; }
      const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt.dir], { encoding: 'utf8' });
      mounted = r.status === 0;
      if (!mounted) why = `mount -t tmpfs failed: ${r.stderr.trim()}`;
    });
    afterAll(() => {
      if (mounted) spawnSync('umount', [mnt.dir]);
      mnt.cleanup();
    });

    it('is RFS_DISK_FULL (exit 9) naming the cache dir, not retried, the temp file removed', async (ctx) => {
      if (!mounted) { console.warn(`[hostile network] in-process ENOSPC skipped: ${why} (the CLI test uses unshare)`); ctx.skip(); return; }
      const cacheDir = join(mnt.dir, 'cache');
      mkdirSync(cacheDir);
      const f = make({ cacheDir });
      const e = await caught(f.fetchFile([srv.url], BASH, bashSum, { size: bashSize }));
      expect(e.code).toBe('RFS_DISK_FULL');
      expect(EXIT_CODES[e.code]).toBe(9);
      expect(e.message).toContain(cacheDir);
      expect(e.message).toMatch(/no space left/);
      expect(e.hint).toMatch(/--cache-dir/);
      expect(srv.hitsOf(BASH_RE)).toHaveLength(1);
      expect(readdirSync(join(cacheDir, 'tmp'))).toEqual([]);
    });
  });

  describe.skipIf(!!distReason)('through the real CLI', () => {
    const cli = (args: string[], env: Record<string, string> = {}, wrap: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> => {
      const out = join(scratch.dir, `out-${n++}.tar`);
      const argv = [BIN, '--repofrompath', `os,${srv.url}`, ...args, '-o', out];
      const [cmd, ...pre] = wrap.length ? wrap : [process.execPath];
      return run(cmd ?? process.execPath, [...pre, ...(wrap.length ? [process.execPath] : []), ...argv], { ...process.env, ...env });
    };
    const cache = (): string[] => ['--cache-dir', join(scratch.dir, `cli-cache-${n++}`)];
    const lastLines = (stderr: string): string[] => stderr.trimEnd().split('\n');

    it('repomd.xml reset or cut short every time: RFS_FETCH_FAILED, exit 3 (not an internal error), retried', async () => {
      for (const kind of ['reset', 'short'] as const) {
        srv.reset();
        srv.script(REPOMD, [{ kind }]);
        const r = await cli(['bash', ...cache()]);
        expect(r.stderr, kind).toMatch(/error RFS_FETCH_FAILED: fetching repomd\.xml of repo os/);
        expect(r.code, kind).toBe(3);
        expect(srv.hitsOf(REPOMD), kind).toHaveLength(4); // retries: 3 by default
      }
    }, 60_000);

    it('repomd.xml with a huge Content-Length: RFS_SIZE_LIMIT, exit 4, one request', async () => {
      srv.script(REPOMD, [{ kind: 'huge' }]);
      const r = await cli(['bash', ...cache()]);
      expect(r.stderr).toMatch(/error RFS_SIZE_LIMIT/);
      expect(r.code).toBe(4);
      expect(srv.hitsOf(REPOMD)).toHaveLength(1);
    }, 30_000);

    it('a package that fails with 500 once is retried and the build succeeds', async () => {
      srv.script(BASH_RE, [{ kind: 'status', status: 500 }, { kind: 'file' }]);
      const r = await cli(['bash', ...cache()]);
      expect(r.stderr).toMatch(/retrying .*bash-3\.0-21.*HTTP 500/);
      expect(r.code, r.stderr).toBe(0);
      expect(srv.hitsOf(BASH_RE)).toHaveLength(2);
    }, 60_000);

    it('the default configuration applies a low-speed deadline: a 1-byte drip fails (RFS_FETCH_DEADLINES tightens it)', async () => {
      srv.script(BASH_RE, [{ kind: 'drip', everyMs: 100 }]);
      const t0 = Date.now();
      const r = await cli(['bash', ...cache()], { RFS_FETCH_DEADLINES: 'speed=100/1' });
      const ms = Date.now() - t0;
      expect(r.stderr).toMatch(/error RFS_FETCH_FAILED: .*too slow \(\d+ bytes in 1 s, the minimum is 100\)/);
      expect(r.code).toBe(3);
      expect(srv.hitsOf(BASH_RE)).toHaveLength(1); // one mirror, and a crawl is not retried on it
      // one 1 s window + start-up
      expect(ms).toBeLessThan(10_000);
    }, 60_000);

    it('a server staying just above the speed floor is cut off by the total deadline for the declared size', async () => {
      // 10 B/s passes a 5 B/s floor forever; 1 s + size / 1 MB/s is the most the package may take
      srv.script(BASH_RE, [{ kind: 'drip', everyMs: 100 }]);
      const t0 = Date.now();
      const r = await cli(['bash', ...cache()], { RFS_FETCH_DEADLINES: 'speed=5/1,total=1,total-rate=1000000' });
      const ms = Date.now() - t0;
      expect(r.stderr).toMatch(/error RFS_FETCH_FAILED: .*bash-3\.0-21.*not complete within [\d.]+ s, the longest allowed for its size/);
      expect(r.stderr).not.toMatch(/too slow/);
      expect(r.code).toBe(3);
      expect(srv.hitsOf(BASH_RE)).toHaveLength(1);
      expect(ms).toBeLessThan(15_000);
    }, 60_000);

    it('one fatal error among concurrent downloads: the others stop at once, the error is the last thing printed', async () => {
      // every other package answers 500 first (so it sits in backoff), then stalls
      srv.script(/glibc-2\.3\.4-2\.54/, [{ kind: 'delay', ms: 300, then: { kind: 'status', status: 404 } }]);
      srv.script(/\.rpm$/, [{ kind: 'status', status: 500 }, { kind: 'stall-body' }]);
      const t0 = Date.now();
      const r = await cli(['bash', '-j', '8', ...cache()]);
      // the moment the 404 left the server (a machine under load may send it well after the 300 ms)
      const failedAt = srv.statusSent.find((x) => /glibc-2\.3\.4-2\.54/.test(x.path))?.at ?? 0;
      expect(failedAt).toBeGreaterThan(0);
      const ms = Date.now() - t0;
      const lines = lastLines(r.stderr);
      const errAt = lines.findIndex((l) => l.startsWith('rootfs-assemble: error'));
      expect(r.code, r.stderr).toBe(3);
      expect(lines[errAt]).toMatch(/error RFS_HTTP_STATUS: .*glibc-2\.3\.4-2\.54.*HTTP 404/);
      // after the error only its own "at:"/"hint:" lines
      expect(lines.slice(errAt + 1).every((l) => /^ {2}(at|hint): /.test(l)), r.stderr).toBe(true);
      expect(r.stderr).toMatch(/retrying/); // the others were in backoff when it happened
      // requests already on their way when the client read the 404 may still land: 250 ms for that
      expect(srv.hits.filter((h) => h.at > failedAt + 250).map((h) => h.path)).toEqual([]);
      // well before the first backoff (0.5 s) ran out twice or any idle deadline (30 s)
      expect(ms).toBeLessThan(8000);
    }, 60_000);

    it('a full cache disk: RFS_DISK_FULL, exit 9, the cache dir named, no temp file left', async (ctx) => {
      const asRoot = process.getuid?.() === 0;
      // the tmpfs lives only in the namespace: nothing to unmount, nothing left behind
      const probe = spawnSync('unshare', [asRoot ? '-m' : '-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0"', scratch.dir], { encoding: 'utf8' });
      if (probe.status !== 0) { console.warn(`[hostile network] CLI ENOSPC skipped: cannot mount a tmpfs in a mount namespace (${probe.stderr.trim()})`); ctx.skip(); return; }
      const cacheDir = join(scratch.dir, `cli-enospc-${n++}`);
      mkdirSync(cacheDir);
      // the metadata fits in 320 KiB, the 1.1 MB bash package does not
      const script = 'mount -t tmpfs -o size=320k tmpfs "$0" || exit 99; "$@"; rc=$?; echo "parts-left: $(find "$0/tmp" -name "*.part" | wc -l)" >&2; exit $rc';
      const r = await cli(['bash', '-j', '1', '--cache-dir', cacheDir], {}, ['unshare', asRoot ? '-m' : '-rm', 'sh', '-c', script, cacheDir]);
      expect(r.code, r.stderr).toBe(9);
      expect(r.stderr).toMatch(/error RFS_DISK_FULL: writing to the cache .*cli-enospc.*: no space left on device/);
      expect(r.stderr).toMatch(/hint: .*--cache-dir/);
      expect(r.stderr).toMatch(/parts-left: 0/);
      expect(r.stderr).not.toMatch(/retrying/);
    }, 60_000);
  });
});
