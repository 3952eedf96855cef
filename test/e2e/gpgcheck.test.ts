// --gpgcheck through the whole pipeline: the fixture repos are signed with the fixture key
// (el4: V3 RSA header+payload signatures as CentOS 4's rpm reads them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturesAvailable, FIXTURE_KEY, FIXTURE_KEY_NEVR } from '../helpers/fixtures.js';
import { have, rpmQuery, runCli, useFixtureMirror } from './helpers.js';

const avail = fixturesAvailable();
if (!avail.ok) console.warn(`[e2e gpgcheck] skipped: ${avail.reason}`);

describe.skipIf(!avail.ok)('--gpgcheck', () => {
  const env = useFixtureMirror('rfs-gpg-');
  it('refuses packages the definition key did not sign, naming the key id; no output', async () => {
    const out = join(env.dir, 'refused.tar');
    const r = await runCli(['centos:4.9', '--gpgcheck', '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache'), '-q']);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/RFS_RPM_SIGNATURE/);
    expect(r.stderr).toMatch(/RPM-GPG-KEY-CentOS-4/);
    expect(existsSync(out)).toBe(false);
  });

  it('verifies every package with a trusted key and imports it as gpg-pubkey, as yum does', async () => {
    const out = join(env.dir, 'signed.tar');
    const r = await runCli(['centos:4.9', '--gpgcheck', '--gpgkey', FIXTURE_KEY, '--mirror', env.mirror.url, '-o', out, '--cache-dir', join(env.dir, 'cache')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/signatures: \d+ packages verified with [0-9a-f]{16}/);
    if (!have('rpm')) return;
    const root = join(env.dir, 'root');
    mkdirSync(root);
    execFileSync('tar', ['-xf', out, '-C', root, 'var/lib/rpm']);
    const keys = rpmQuery(root, '/var/lib/rpm', 'bdb_ro', ['-q', 'gpg-pubkey', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}\n']).trim();
    expect(keys).toBe(FIXTURE_KEY_NEVR);
  });
});
