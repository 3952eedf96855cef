// The library calls' contract where the packed-package test does not reach: why the low-level
// path needs solveWithFilelists (the solver alone cannot see a file only filelists list), and
// assemble() refusing a bad output before anything is fetched, as the CLI does.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assemble, isRfsError, openRepos, poolFor, resolve, solveWithFilelists, type Problem } from '../../src/index.js';
import { fixturesAvailable } from '../helpers/fixtures.js';
import { useFixtureMirror } from '../e2e/helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[library api] skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)('library calls against the fixture mirror', () => {
  const env = useFixtureMirror('rfs-lib-api-');

  it('resolve() alone misses a file only filelists list; solveWithFilelists loads them and finds it', async () => {
    const opened = await openRepos({ distro: 'centos:4.9', mirror: env.mirror.url, cacheDir: join(env.dir, 'cache') });
    try {
      const request = { install: ['openssh-askpass'] };
      const pure = resolve(poolFor(opened.loaded, opened.arch), request, {});
      expect(pure.ok).toBe(false);
      const deps = pure.ok ? [] : pure.problems.map((p: Problem) => ('dep' in p ? p.dep : ''));
      expect(deps).toContain('/usr/libexec/openssh/ssh-keysign');
      const before = env.mirror.requests.filter((r) => r.includes('filelists')).length;
      const full = await solveWithFilelists(poolFor(opened.loaded, opened.arch), opened.loaded, request, {});
      expect(env.mirror.requests.filter((r) => r.includes('filelists')).length).toBeGreaterThan(before);
      expect(full.ok).toBe(true);
      const names = full.ok ? full.transaction.packages.map((p) => p.name) : [];
      expect(names).toEqual(expect.arrayContaining(['openssh-askpass', 'openssh']));
    } finally {
      await opened.fetcher.close();
    }
  });

  it('with skipBroken, a request only filelists satisfy is installed, not skipped', async () => {
    const opened = await openRepos({ distro: 'centos:4.9', mirror: env.mirror.url, cacheDir: join(env.dir, 'cache-skip') });
    try {
      const r = await solveWithFilelists(poolFor(opened.loaded, opened.arch), opened.loaded, { install: ['openssh-askpass', 'no-such-package'] }, { skipBroken: true });
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.transaction.packages.map((p) => p.name)).toEqual(expect.arrayContaining(['openssh-askpass', 'openssh']));
      expect((r.transaction.skipped ?? []).map((s) => s.request)).toEqual(['no-such-package']);
    } finally {
      await opened.fetcher.close();
    }
  });

  it('assemble() checks the output before any request', async () => {
    const base = { distro: 'centos:4.9', mirror: env.mirror.url, cacheDir: join(env.dir, 'cache2') };
    const before = env.mirror.requests.length;
    const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (isRfsError(e) ? `${e.code} ${e.exitCode}` : String(e)));
    expect(await codeOf(assemble({ ...base, output: { path: join(env.dir, 'no-such-dir', 'x.tar') } }))).toBe('RFS_OUTPUT 9');
    expect(await codeOf(assemble({ ...base, output: { path: join(env.dir, 'x.tar.bz2') } }))).toBe('RFS_USAGE 2');
    expect(await codeOf(assemble({ ...base, output: { path: env.dir } }))).toBe('RFS_USAGE 2');
    expect(env.mirror.requests.length).toBe(before);
  });
});
