// `inspect` lists each signature (what it covers, version, algorithm, hash, key id) and its verdict
// against the known keys (repos/keys/ + --gpgkey), checked against the host's `rpm -Kv` with the
// same key imported into a scratch rpmdb: fixture packages signed with the test key, one with a
// broken header signature (BAD; --strict exits 5), and the real CentOS 2-7 release packages when
// ../shared/realdata is present.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../e2e/helpers.js';
import { breakHeaderSignature } from '../helpers/spoil-signature.js';
import { FIXTURE_KEY, fixturePackage, fixturesAvailable } from '../helpers/fixtures.js';
import { HAVE_REALDATA, HAVE_RPM, RPMS, centosKey, listRpms, tempDir } from '../pgp/helpers.js';

const fx = fixturesAvailable();
if (!fx.ok) console.warn(`[inspect signatures] fixture cases skipped: ${fx.reason}`);
if (!HAVE_RPM) console.warn('[inspect signatures] skipped: no host rpm');

interface Sig { covers: string; version: number; algorithm: string; hash: string; keyId: string; verdict: string }
interface InspectJson { signatures: (Sig & { key: { file: string | null } | null })[] }

const VERDICT: Record<string, string> = { OK: 'verified', NOKEY: 'unknown-key', BAD: 'bad' };

/** the host's view: `rpm --dbpath D -Kv FILE` signature lines (key ids are rpm 4.18's low 32 bits) */
function rpmKv(dbpath: string, file: string): Sig[] {
  // exit 1 on NOKEY/BAD: the lines are what counts
  const out = spawnSync('rpm', ['--dbpath', dbpath, '-Kv', file], { encoding: 'utf8', env: { ...process.env, HOME: '/nonexistent' } }).stdout;
  return [...out.matchAll(/^\s+(Header )?V(\d) (\S+)\/(\S+) Signature, key ID ([0-9a-f]+): (OK|NOKEY|BAD)/gm)].map((m) => ({
    covers: m[1] ? 'header' : 'header+payload', version: Number(m[2]), algorithm: m[3]!, hash: m[4]!, keyId: m[5]!, verdict: VERDICT[m[6]!]!,
  }));
}

/** false when the host's rpm refuses the key (4.18 on Debian will not import the CentOS 2-5 DSA keys) */
function importKey(dbpath: string, key: string): boolean {
  return spawnSync('rpm', ['--dbpath', dbpath, '--import', key], { env: { ...process.env, HOME: '/nonexistent' } }).status === 0;
}

async function inspect(file: string, extra: string[] = []): Promise<{ code: number; json: InspectJson | null; stdout: string; stderr: string }> {
  const r = await runCli(['inspect', file, '--json', ...extra]);
  return { ...r, json: r.code === 0 ? (JSON.parse(r.stdout) as InspectJson) : null };
}

/** ours in rpm's terms: short key id, sorted like rpm prints (header signatures first) */
const asRpm = (j: InspectJson): Sig[] => j.signatures.map((s) => ({ covers: s.covers, version: s.version, algorithm: s.algorithm, hash: s.hash, keyId: s.keyId.slice(-8), verdict: s.verdict }));
const sorted = (s: Sig[]): Sig[] => [...s].sort((a, b) => (a.covers === b.covers ? 0 : a.covers === 'header' ? -1 : 1));

describe.skipIf(!fx.ok || !HAVE_RPM)('inspect signatures: fixture packages against rpm -Kv', () => {
  const FILES = (): string[] => [fixturePackage('el7-os', 'bash'), fixturePackage('el7-os', 'basesystem'), fixturePackage('el4-os', 'bash'), fixturePackage('modern', 'bash')];

  it('with --gpgkey: verified, as rpm says OK with the key imported', async () => {
    const tmp = tempDir('inspect-ok');
    try {
      const db = join(tmp.dir, 'db');
      expect(importKey(db, FIXTURE_KEY)).toBe(true);
      for (const f of FILES()) {
        const r = await inspect(f, ['--gpgkey', FIXTURE_KEY]);
        expect(r.code, r.stderr).toBe(0);
        const host = rpmKv(db, f);
        expect(host.length, f).toBeGreaterThan(0);
        expect(host.every((s) => s.verdict === 'verified')).toBe(true);
        expect(sorted(asRpm(r.json!))).toEqual(host);
        expect(r.json!.signatures.every((s) => s.key?.file === 'RPM-GPG-KEY-fixture')).toBe(true);
      }
      const text = await runCli(['inspect', FILES()[0]!, '--gpgkey', FIXTURE_KEY]);
      expect(text.stdout).toMatch(/^ {4}header V4 RSA\/SHA256 signature, key ID b9e15b888afd667f: verified with RPM-GPG-KEY-fixture \(rootfs-assemble fixture key/m);
    } finally {
      tmp.cleanup();
    }
  });

  it('without it: unknown key, as rpm says NOKEY with only the CentOS-7 key imported (no shipped key matches)', async () => {
    const tmp = tempDir('inspect-nokey');
    try {
      const db = join(tmp.dir, 'db');
      expect(importKey(db, centosKey(7))).toBe(true);
      for (const f of FILES()) {
        const r = await inspect(f);
        expect(r.code, r.stderr).toBe(0);
        expect(sorted(asRpm(r.json!))).toEqual(rpmKv(db, f));
        expect(r.json!.signatures.every((s) => s.verdict === 'unknown-key' && s.key === null)).toBe(true);
      }
      expect((await runCli(['inspect', FILES()[0]!])).stdout).toMatch(/key ID b9e15b888afd667f: unknown key/);
    } finally {
      tmp.cleanup();
    }
  });

  it('--header-only checks the header signature and leaves the header+payload one not-checked', async () => {
    const r = await inspect(fixturePackage('el4-os', 'bash'), ['--header-only', '--gpgkey', FIXTURE_KEY]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.signatures.map((s) => `${s.covers} ${s.verdict}`)).toEqual(['header verified', 'header+payload not-checked']);
  });

  const HEADER_ONLY = join(RPMS, 'header-only', 'apache-commons-io-2.4-12.el7.noarch.rpm');
  it.skipIf(!HAVE_REALDATA || !existsSync(HEADER_ONLY))('a real header-only file passes --header-only --strict (no payload is no BAD signature)', async () => {
    const r = await runCli(['inspect', HEADER_ONLY, '--header-only', '--strict', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as InspectJson).signatures.map((s) => `${s.covers} ${s.verdict}`)).toEqual(['header verified', 'header+payload not-checked']);
  });

  it('a broken header signature is BAD as rpm says; --strict exits 5', async () => {
    const tmp = tempDir('inspect-bad');
    try {
      const db = join(tmp.dir, 'db');
      expect(importKey(db, FIXTURE_KEY)).toBe(true);
      const f = join(tmp.dir, 'bash.rpm');
      copyFileSync(fixturePackage('el7-os', 'bash'), f);
      await breakHeaderSignature(f);
      const r = await inspect(f, ['--gpgkey', FIXTURE_KEY]);
      expect(r.code, r.stderr).toBe(0);
      const host = rpmKv(db, f);
      expect(host.map((s) => s.verdict)).toContain('bad');
      expect(sorted(asRpm(r.json!))).toEqual(host);
      const strict = await runCli(['inspect', f, '--gpgkey', FIXTURE_KEY, '--strict']);
      expect(strict.code).toBe(5);
      expect(strict.stderr).toMatch(/RFS_RPM_SIGNATURE: .*header RSA\/SHA256 signature, key ID b9e15b888afd667f, is BAD/);
      expect((await runCli(['inspect', f, '--gpgkey', FIXTURE_KEY])).stdout).toMatch(/key ID b9e15b888afd667f: BAD/);
      // an intact package passes --strict
      expect((await runCli(['inspect', fixturePackage('el7-os', 'bash'), '--gpgkey', FIXTURE_KEY, '--strict'])).code).toBe(0);
    } finally {
      tmp.cleanup();
    }
  });

  it('--gpgkey reads as the build does: a missing file is exit 2, plain http is refused, a file:// URL is read', async () => {
    const pkg = fixturePackage('el7-os', 'bash');
    expect((await runCli(['inspect', pkg, '--gpgkey', '/nonexistent/key'])).code).toBe(2);
    const http = await runCli(['inspect', pkg, '--gpgkey', 'http://example.org/key']);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('RFS_BAD_CONFIG');
    expect(http.stderr).toContain('refusing to fetch a trusted key over anything but https');
    const viaUrl = await inspect(pkg, ['--gpgkey', pathToFileURL(FIXTURE_KEY).href]);
    expect(viaUrl.code, viaUrl.stderr).toBe(0);
    expect(viaUrl.json!.signatures.length).toBeGreaterThan(0);
    expect(viaUrl.json!.signatures.every((s) => s.verdict === 'verified' && s.key?.file === 'RPM-GPG-KEY-fixture')).toBe(true);
  });
});

const RELEASES = HAVE_REALDATA ? listRpms(join(RPMS, 'centos-release')).filter((f) => /centos-release-(as-2|[3-7])/.test(f)) : [];
const major = (f: string): number => Number(/centos-release-(?:as-)?(\d)/.exec(f)![1]);

describe.skipIf(RELEASES.length === 0 || !HAVE_RPM)('inspect signatures: real CentOS 2-7 packages against rpm -Kv', () => {
  it.each(RELEASES)('%s: the shipped key verifies it, as rpm says', async (f) => {
    const key = centosKey(major(f));
    expect(existsSync(key)).toBe(true);
    const tmp = tempDir('inspect-real');
    try {
      const db = join(tmp.dir, 'db');
      const imported = importKey(db, key);
      const r = await inspect(f);
      expect(r.code, r.stderr).toBe(0);
      const host = rpmKv(db, f);
      expect(host.length).toBeGreaterThan(0);
      if (imported) expect(sorted(asRpm(r.json!))).toEqual(host);
      else {
        // the host cannot check a DSA key: it says NOKEY; what it reads of each signature must still agree
        expect(host.every((s) => s.verdict === 'unknown-key')).toBe(true);
        expect(sorted(asRpm(r.json!)).map((s) => ({ ...s, verdict: 'unknown-key' }))).toEqual(host);
        expect(major(f)).toBeLessThanOrEqual(5);
      }
      expect(r.json!.signatures.every((s) => s.verdict === 'verified' && s.key?.file === `RPM-GPG-KEY-CentOS-${major(f)}`)).toBe(true);
    } finally {
      tmp.cleanup();
    }
  });
});
