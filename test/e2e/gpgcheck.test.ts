// Signatures through the whole pipeline, with dnf's default: the definitions say gpgcheck, so a
// plain build checks. The fixture repos are signed with the fixture key (el4: V3 RSA
// header+payload signatures as CentOS 4's rpm reads them), not with CentOS's keys.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesAvailable, FIXTURE_KEY, FIXTURE_KEY_NEVR } from '../helpers/fixtures.js';
import { have, rpmQuery, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e gpgcheck] skipped: ${avail.reason}`);

/** the fixture key's id (its short id 8afd667f names the gpg-pubkey entry) */
const FIXTURE_KEY_ID = 'b9e15b888afd667f';

interface SpdxPackage { name: string; annotations?: { annotationType: string; annotator: string; comment: string }[] }

describe.skipIf(!avail.ok)('signatures checked by default (gpgcheck: true in the definitions)', () => {
  const env = useFixtureMirror('rfs-gpg-');
  const build = (name: string, ...extra: string[]) => {
    const out = join(env.dir, `${name}.tar`);
    return runCli(['centos:4.9', ...extra, '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache')])
      .then((r) => ({ ...r, out }));
  };

  it('refuses packages the definition key did not sign, naming package, key files and key ids; no output', async () => {
    const sbom = join(env.dir, 'refused.spdx.json');
    const r = await build('refused', '--sbom', sbom);
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(/RFS_RPM_SIGNATURE/);
    expect(r.stderr).toMatch(/RPM-GPG-KEY-CentOS-4/);
    // the package's signing key and the key ids that were trusted
    expect(r.stderr).toContain(`signed with key ${FIXTURE_KEY_ID}, which is not among the known keys`);
    expect(r.stderr).toMatch(/trusted key ids: [0-9a-f]{16}/);
    expect(r.stderr).toMatch(/\.(x86_64|noarch|i386|i686) from repo base/);
    expect(existsSync(r.out)).toBe(false);
    expect(existsSync(sbom)).toBe(false);
  });

  it('--gpgcheck is accepted as an alias of the default', async () => {
    const r = await build('alias', '--gpgcheck');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/RFS_RPM_SIGNATURE/);
    expect(existsSync(r.out)).toBe(false);
    const both = await build('both', '--gpgcheck', '--nogpgcheck');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/contradict/);
  });

  it('verifies every package with --gpgkey, says so in the summary and the SBOM, imports the key as gpg-pubkey', async () => {
    const sbom = join(env.dir, 'signed.spdx.json');
    const r = await build('signed', '--gpgkey', FIXTURE_KEY, '--sbom', sbom);
    expect(r.code, r.stderr).toBe(0);
    const n = JSON.parse(readFileSync(sbom, 'utf8')).packages.length - 1;
    expect(r.stderr).toContain(`signatures: ${n} package(s) verified with key `);
    expect(r.stderr).toMatch(new RegExp(`verified with key ${FIXTURE_KEY_ID} \\(rootfs-assemble fixture key .*\\) from RPM-GPG-KEY-fixture\n`));
    expect(r.stderr).not.toMatch(/NOT verified/);
    const doc = JSON.parse(readFileSync(sbom, 'utf8')) as { packages: SpdxPackage[] };
    for (const p of doc.packages.slice(1)) {
      expect(p.annotations?.[0]?.comment, p.name).toMatch(new RegExp(`^rpm signature: verified with key ${FIXTURE_KEY_ID} \\(fingerprint [0-9a-f]{24}${FIXTURE_KEY_ID}, key file RPM-GPG-KEY-fixture\\)$`));
    }
    if (!have('rpm')) return;
    const root = join(env.dir, 'root');
    mkdirSync(root);
    execFileSync('tar', ['-xf', r.out, '-C', root, 'var/lib/rpm']);
    const keys = rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-q', 'gpg-pubkey', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\n']).trim();
    expect(keys).toBe(FIXTURE_KEY_NEVR);
  });

  it('--nogpgcheck builds; the summary and every SBOM package say unverified and why; no key imported', async () => {
    const sbom = join(env.dir, 'nogpg.spdx.json');
    const r = await build('nogpg', '--nogpgcheck', '--sbom', sbom);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(sbom, 'utf8')) as { packages: SpdxPackage[] };
    const pkgs = doc.packages.slice(1);
    expect(r.stderr).toContain(`signatures: ${pkgs.length} package(s) from repo base NOT verified: --nogpgcheck\n`);
    expect(r.stderr).not.toMatch(/ verified with key/);
    for (const p of pkgs) {
      expect(p.annotations, p.name).toEqual([expect.objectContaining({ annotationType: 'OTHER', annotator: 'Tool: rootfs-assemble', comment: 'rpm signature: NOT verified (--nogpgcheck)' })]);
    }
    if (!have('rpm')) return;
    const root = join(env.dir, 'root-nogpg');
    mkdirSync(root);
    execFileSync('tar', ['-xf', r.out, '-C', root, 'var/lib/rpm']);
    expect(rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-qa']).split('\n').filter((l) => l.startsWith('gpg-pubkey'))).toEqual([]);
  });
});
