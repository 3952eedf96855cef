// Real signed packages: CentOS 2.1–7 release packages against the CentOS keys, rpm's and rpm-rs's
// test packages against their published test keys. Every verdict is checked against an
// independent verifier: Debian's `rpm -Kv` where it can import the key, else `gpg --verify`
// (rpm 4.18 refuses to import the CentOS 2–5 DSA keys).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkGpg, startRpmSignatureCheck, verifyRpmSignatures, type SignatureReport } from '../../src/rpm/signature.js';
import { openRpm } from '../../src/rpm/index.js';
import { isRfsError } from '../../src/errors/index.js';
import {
  DATA, HAVE_GPG, HAVE_REALDATA, HAVE_RPM, RPMS, centosKey, gpgVerify, keysFrom, rpmImport, rpmK, run, tempDir,
} from './helpers.js';

if (!HAVE_REALDATA) console.warn(`[test/pgp] SKIPPING real signed packages: ${RPMS} is absent`);
if (HAVE_REALDATA && !HAVE_RPM) console.warn('[test/pgp] SKIPPING rpm -K cross-checks: rpm is not installed');
if (HAVE_REALDATA && !HAVE_GPG) console.warn('[test/pgp] SKIPPING gpg --verify cross-checks: gpg is not installed');

const CENTOS = join(RPMS, 'centos-release');
const TESTSUITE = join(RPMS, 'rpm-testsuite');
const RPMRS = join(RPMS, 'rpm-rs');

/** package, key file, expected [tag, status] for every signature */
const CASES: [string, string, [string, string][]][] = [
  ['centos-release/centos-release-as-2.1AS-4.noarch.rpm', centosKey(2), [['GPG', 'ok']]],
  ['centos-release/centos-release-3.1-1.i386.rpm', centosKey(3), [['DSAHEADER', 'ok'], ['GPG', 'ok']]],
  ['centos-release/centos-release-4-0.1.i386.rpm', centosKey(4), [['DSAHEADER', 'ok'], ['GPG', 'ok']]],
  ['centos-release/centos-release-4-0.1.x86_64.rpm', centosKey(4), [['DSAHEADER', 'ok'], ['GPG', 'ok']]],
  ['centos-release/centos-release-5-0.0.el5.centos.2.i386.rpm', centosKey(5), [['DSAHEADER', 'ok'], ['GPG', 'ok']]],
  ['centos-release/centos-release-5-0.0.el5.centos.2.x86_64.rpm', centosKey(5), [['DSAHEADER', 'ok'], ['GPG', 'ok']]],
  ['centos-release/centos-release-6-0.el6.centos.5.i686.rpm', centosKey(6), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  ['centos-release/centos-release-6-0.el6.centos.5.x86_64.rpm', centosKey(6), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  ['centos-release/centos-release-7-2.1511.el7.centos.2.10.x86_64.rpm', centosKey(7), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  ['centos-release/epel-release-7-5.noarch.rpm', centosKey(7), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  ['rpm-testsuite/hello-2.0-1.x86_64-signed.rpm', join(DATA, 'rpm.org-rsa-2048-test.pub'), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  ['rpm-testsuite/hello-2.0-1.x86_64-v3-signed.rpm', join(DATA, 'rpm.org-rsa-2048-test.pub'), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  ['rpm-testsuite/hlinktest-1.0-1.noarch-v3sig.rpm', join(DATA, 'rpm.org-rsa-2048-test.pub'), [['RSAHEADER', 'ok'], ['PGP', 'ok']]],
  // a v6 ML-DSA-87 signature (no key, and node has no ML-DSA) next to RSA v4 ones
  ['rpm-testsuite/hello-2.0-1.x86_64-signed-mldsa87.rpm', join(DATA, 'rpm.org-rsa-2048-test.pub'), [['RSAHEADER', 'ok'], ['OPENPGP', 'nokey'], ['OPENPGP', 'ok'], ['PGP', 'ok']]],
  ['rpm-testsuite/hello-2.0-1.x86_64-signed-with-new-subkey.rpm', join(DATA, 'rpm.org-rsa-2048-add-subkey.asc'), [['DSAHEADER', 'ok']]],
  ['rpm-rs/v4/signed/rpm-basic-with-ed25519-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v4-keyring.asc'), [['DSAHEADER', 'ok']]],
  ['rpm-rs/v4/signed/rpm-basic-with-rsa4096-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v4-keyring.asc'), [['RSAHEADER', 'ok']]],
  ['rpm-rs/v4/signed/rpm-basic-with-ima-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v4-keyring.asc'), [['DSAHEADER', 'ok'], ['OPENPGP', 'ok'], ['OPENPGP', 'nokey'], ['OPENPGP', 'ok']]],
  // rpm 6 format: v6 signatures (salted, RSA-4096 subkey of a v6 key) in the OPENPGP tag
  ['rpm-rs/v6/signed/rpm-basic-with-rsa4k-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v6-rsa4k-cert.asc'), [['OPENPGP', 'ok']]],
  ['rpm-rs/v6/signed/rpm-basic-multiple-signatures-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v6-rsa4k-cert.asc'), [['OPENPGP', 'nokey'], ['OPENPGP', 'ok']]],
];

const statuses = (r: SignatureReport): [string, string][] => r.signatures.map((s) => [s.tagName, s.status]);
const tmp = tempDir('real');
afterAll(() => tmp.cleanup());

/** rpm -Kv's verdicts for the tags rpm 4.18 knows (it ignores rpm 6's OPENPGP) */
function expectRpmAgrees(dbpath: string, file: string, r: SignatureReport): void {
  const ours = r.signatures.filter((s) => s.tagName !== 'OPENPGP').map((s) => ({ covers: s.covers, keyId: s.keyId.slice(-8), status: s.status }));
  expect(rpmK(dbpath, file)).toEqual(ours);
}

describe.skipIf(!HAVE_REALDATA)('real signed packages', () => {
  it.each(CASES)('%s verifies with its key', async (rel, keyFile, expected) => {
    const file = join(RPMS, rel);
    const r = await verifyRpmSignatures(file, keysFrom(keyFile));
    expect(statuses(r)).toEqual(expected);
    expect(r.verified).toBe(true);
    const used = checkGpg(r, { require: true, keyFiles: [keyFile] });
    expect(used.length).toBeGreaterThan(0);
    for (const s of r.signatures.filter((x) => x.status === 'ok')) {
      expect(s.key!.userId).toBeTruthy();
      expect(s.key!.keyId).toBe(s.keyId);
    }
  });

  it.each(CASES.filter((c) => c[0].startsWith('centos-release/')))('%s: unknown with another CentOS key, and checkGpg names the missing key', async (rel, keyFile) => {
    const other = keyFile.endsWith('-5') ? centosKey(4) : centosKey(5);
    const r = await verifyRpmSignatures(join(RPMS, rel), keysFrom(other));
    expect(r.verified).toBe(false);
    expect(r.signatures.every((s) => s.status === 'nokey')).toBe(true);
    const keyId = r.signatures[0]!.keyId;
    expect(() => checkGpg(r, { require: true, keyFiles: [other] })).toThrowError(expect.objectContaining({
      code: 'RFS_RPM_SIGNATURE',
      subject: join(RPMS, rel),
      hint: expect.stringContaining(keyId),
    }));
    expect(checkGpg(r, { require: false })).toEqual([]); // gpgcheck off: no signature needed
  });

  it('a signing subkey without a valid binding signature is not trusted (CVE-2021-3521)', async () => {
    const file = join(TESTSUITE, 'hello-2.0-1.x86_64-signed-with-new-subkey.rpm');
    const keys = keysFrom(join(DATA, 'rpm.org-rsa-2048-add-subkey.asc'));
    const [enc, signing] = keys[0]!.subkeys;
    expect(Buffer.from(signing!.keyId).toString('hex')).toBe('6323c42711450b6c');
    signing!.bindings = enc!.bindings; // a binding made for another subkey
    const r = await verifyRpmSignatures(file, keys);
    expect(r.signatures.map((x) => [x.status, x.reason])).toEqual([['nokey', 'subkey 6323c42711450b6c has no valid binding signature from its primary key']]);
    expect(r.verified).toBe(false);
  });

  it('a signature checked against a different key of the same algorithm is BAD', async () => {
    const file = join(CENTOS, 'centos-release-4-0.1.i386.rpm');
    // re-label the CentOS-5 DSA key with CentOS-4's key id: the math must refuse it
    const wrong = keysFrom(centosKey(5));
    const right = keysFrom(centosKey(4))[0]!.primary;
    wrong[0]!.primary = { ...wrong[0]!.primary, keyId: right.keyId, fingerprint: right.fingerprint };
    const r = await verifyRpmSignatures(file, wrong);
    expect(statuses(r)).toEqual([['DSAHEADER', 'bad'], ['GPG', 'bad']]);
    expect(() => checkGpg(r)).toThrowError(expect.objectContaining({ code: 'RFS_RPM_SIGNATURE', message: expect.stringMatching(/is BAD/) }));
  });

  it.each(CASES.filter((c) => c[2].some(([t]) => t === 'PGP' || t === 'GPG')))('%s: one flipped payload byte breaks the header+payload signature only', async (rel, keyFile) => {
    const file = join(tmp.dir, rel.replace(/\//g, '_'));
    copyFileSync(join(RPMS, rel), file);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20]! ^= 0x01;
    writeFileSync(file, bytes);
    const r = await verifyRpmSignatures(file, keysFrom(keyFile));
    for (const s of r.signatures) {
      if (s.covers === 'header+payload') expect(s.status, s.tagName).toBe('bad');
      else if (s.status !== 'nokey') expect(s.status, s.tagName).toBe('ok');
    }
    expect(r.verified).toBe(false);
    expect(() => checkGpg(r)).toThrowError(expect.objectContaining({ code: 'RFS_RPM_SIGNATURE' }));
  });

  it.each([
    ['centos-release/centos-release-5-0.0.el5.centos.2.x86_64.rpm', centosKey(5)],
    ['centos-release/centos-release-7-2.1511.el7.centos.2.10.x86_64.rpm', centosKey(7)],
    ['rpm-rs/v4/signed/rpm-basic-with-ima-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v4-keyring.asc')],
    ['rpm-rs/v6/signed/rpm-basic-with-rsa4k-2.3.4-5.el9.noarch.rpm', join(DATA, 'rpm-testkey-v6-rsa4k-cert.asc')],
  ])('%s: one flipped byte in the main header breaks every signature', async (rel, keyFile) => {
    const src = join(RPMS, rel);
    const pkg = await openRpm(src, { verify: false, headerOnly: true });
    const bytes = readFileSync(src);
    const at = bytes.indexOf(Buffer.from(pkg.meta.summary), pkg.payloadOffset - pkg.headerBytes.length);
    expect(at).toBeGreaterThan(0);
    bytes[at]! ^= 0x20; // the summary's first letter changes case
    const r = await verifyRpmSignatures(bytes, keysFrom(keyFile), { subject: 'flipped' });
    expect(r.signatures.filter((x) => x.status !== 'nokey').every((x) => x.status === 'bad')).toBe(true);
    expect(r.signatures.some((x) => x.status === 'bad')).toBe(true);
    expect(r.verified).toBe(false);
    expect(r.subject).toBe('flipped');
  });

  it('an RpmPackage without its file checks header signatures and says why it skips the rest', async () => {
    const file = join(CENTOS, 'centos-release-6-0.el6.centos.5.x86_64.rpm');
    const pkg = await openRpm(file, { headerOnly: true });
    const r = await verifyRpmSignatures(pkg, keysFrom(centosKey(6)));
    expect(statuses(r)).toEqual([['RSAHEADER', 'ok'], ['PGP', 'skipped']]);
    expect(r.subject).toBe('centos-release-6-0.el6.centos.5.x86_64'); // the NEVRA when no file is named
    expect(r.verified).toBe(true);
    const full = await verifyRpmSignatures(pkg, keysFrom(centosKey(6)), { file });
    expect(statuses(full)).toEqual([['RSAHEADER', 'ok'], ['PGP', 'ok']]);
  });

  it('the payload can be fed while it streams by (download, unpack), in any chunking', async () => {
    const file = join(CENTOS, 'centos-release-4-0.1.x86_64.rpm');
    const pkg = await openRpm(file, { headerOnly: true });
    const bytes = readFileSync(file);
    const run = startRpmSignatureCheck(pkg, keysFrom(centosKey(4)), { payload: true });
    expect(run.needsPayload).toBe(true);
    for (let o = pkg.payloadOffset; o < bytes.length; o += 777) run.update(bytes.subarray(o, Math.min(o + 777, bytes.length)));
    const r = run.finish();
    expect(statuses(r)).toEqual([['DSAHEADER', 'ok'], ['GPG', 'ok']]);
    expect(r.subject).toBe('centos-release-4-0.1.x86_64');
    expect(() => run.finish()).toThrowError(/finish\(\) called twice/);
    // a payload that stops short fails like a changed one
    const short = startRpmSignatureCheck(pkg, keysFrom(centosKey(4)), { payload: true, subject: 'short' });
    short.update(bytes.subarray(pkg.payloadOffset, bytes.length - 1));
    expect(statuses(short.finish())).toEqual([['DSAHEADER', 'ok'], ['GPG', 'bad']]);
    // no key for the payload signature: nothing to feed
    expect(startRpmSignatureCheck(pkg, keysFrom(centosKey(5)), { payload: true }).needsPayload).toBe(false);
  });

  it('unsigned packages: nothing to verify, so gpgcheck refuses them', async () => {
    const file = join(RPMRS, 'v4', 'rpm-basic-2.3.4-5.el9.noarch.rpm');
    const r = await verifyRpmSignatures(file, keysFrom(centosKey(7)));
    expect(r.signatures).toEqual([]);
    expect(() => checkGpg(r, { keyFiles: ['/etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7'] })).toThrowError(
      expect.objectContaining({ code: 'RFS_RPM_SIGNATURE', message: expect.stringMatching(/not signed/) }),
    );
  });

  it('packages whose keys are not published are reported as unknown keys, v6 signatures included', async () => {
    const keys = keysFrom(join(DATA, 'rpm.org-rsa-2048-test.pub'), join(DATA, 'rpm-testkey-v4-keyring.asc'));
    const r1 = await verifyRpmSignatures(join(TESTSUITE, 'hello-2.0-1.x86_64-signed-with-subkey.rpm'), keys);
    expect(r1.signatures.map((s) => [s.tagName, s.version, s.algorithm, s.keyId, s.status])).toEqual([['RSAHEADER', 4, 'RSA/SHA512', '1f71177215217ee0', 'nokey']]);
    const r2 = await verifyRpmSignatures(join(RPMRS, 'v6', 'signed', 'rpm-basic-multiple-signatures-2.3.4-5.el9.noarch.rpm'), keys);
    expect(r2.signatures.map((s) => [s.tagName, s.version, s.algorithm, s.status])).toEqual([
      ['OPENPGP', 6, 'Ed25519/SHA512', 'nokey'],
      ['OPENPGP', 6, 'RSA/SHA512', 'nokey'],
    ]);
    expect(r2.signatures[0]!.issuerFingerprint).toHaveLength(64);
  });

  describe.skipIf(!HAVE_RPM)('agrees with rpm -Kv', () => {
    const RPM_KEYS = [centosKey(6), centosKey(7), join(DATA, 'rpm.org-rsa-2048-test.pub'), join(DATA, 'rpm-testkey-v4-keyring.asc')];
    const cases = CASES.filter((c) => RPM_KEYS.includes(c[1]));
    let db: string | null = null;
    const dbpath = (): string => {
      if (db) return db;
      db = join(tmp.dir, 'rpmdb');
      for (const k of RPM_KEYS) expect(rpmImport(db, k), k).toBe(true);
      return db;
    };
    it.each(cases)('%s', async (rel, keyFile) => {
      const file = join(RPMS, rel);
      expectRpmAgrees(dbpath(), file, await verifyRpmSignatures(file, keysFrom(keyFile)));
      // and with a flipped payload byte
      const bad = join(tmp.dir, `rpmk-${rel.replace(/\//g, '_')}`);
      const bytes = readFileSync(file);
      bytes[bytes.length - 20]! ^= 0x01;
      writeFileSync(bad, bytes);
      expectRpmAgrees(dbpath(), bad, await verifyRpmSignatures(bad, keysFrom(keyFile)));
      // and with the last byte of the first signature's value changed (the digest still matches)
      const pkg = await openRpm(file, { verify: false, headerOnly: true });
      const e = pkg.signature.entries.find((x) => x.tag === 267 || x.tag === 268)!;
      const forged = join(tmp.dir, `forged-${rel.replace(/\//g, '_')}`);
      const fb = readFileSync(file);
      fb[96 + 16 + 16 * pkg.signature.il + e.offset + e.count - 1]! ^= 0x01;
      writeFileSync(forged, fb);
      const r = await verifyRpmSignatures(forged, keysFrom(keyFile));
      expect(r.signatures.find((x) => x.tag === e.tag)).toMatchObject({ status: 'bad', reason: expect.stringMatching(/^signature does not verify/) });
      expectRpmAgrees(dbpath(), forged, r);
    });
  });

  describe.skipIf(!HAVE_GPG)('agrees with gpg --verify (CentOS DSA keys rpm 4.18 cannot import)', () => {
    const cases = CASES.filter((c) => /CentOS-[2-5]$/.test(c[1]));
    it.each(cases)('%s', async (rel, keyFile) => {
      const home = join(tmp.dir, `gpg${cases.findIndex((c) => c[0] === rel)}`); // short: gpg's socket paths are limited
      run('mkdir', ['-m', '700', '-p', home]);
      const imp = run('gpg', ['--batch', '--import', keyFile], { ...process.env, GNUPGHOME: home });
      expect(imp.status, imp.stderr).toBe(0);
      const file = join(RPMS, rel);
      const pkg = await openRpm(file, { verify: false, headerOnly: true });
      const bytes = readFileSync(file);
      for (const change of ['none', 'payload byte', 'signature values'] as const) {
        if (change === 'payload byte') bytes[bytes.length - 20]! ^= 0x01;
        if (change === 'signature values') {
          bytes[bytes.length - 20]! ^= 0x01; // payload intact again
          for (const e of pkg.signature.entries.filter((x) => x.tag === 267 || x.tag === 1005)) bytes[96 + 16 + 16 * pkg.signature.il + e.offset + e.count - 1]! ^= 0x01;
        }
        writeFileSync(join(home, 'pkg.rpm'), bytes);
        const now = await openRpm(join(home, 'pkg.rpm'), { verify: false, headerOnly: true });
        const r = await verifyRpmSignatures(join(home, 'pkg.rpm'), keysFrom(keyFile));
        writeFileSync(join(home, 'header'), pkg.headerBytes);
        writeFileSync(join(home, 'header+payload'), bytes.subarray(pkg.payloadOffset - pkg.headerBytes.length));
        for (const s of r.signatures) {
          writeFileSync(join(home, 'sig'), now.signature.bin(s.tag)!);
          const theirs = gpgVerify(home, join(home, 'sig'), join(home, s.covers));
          expect(theirs, `${s.tagName}, changed: ${change}`).toBe(s.status === 'ok' ? 'good' : 'bad');
          expect(s.status, `${s.tagName}, changed: ${change}`).toBe(change === 'none' || (change === 'payload byte' && s.covers === 'header') ? 'ok' : 'bad');
        }
      }
    });
  });
});
