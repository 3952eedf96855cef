// Keys generated with gpg in a temp GNUPGHOME (DSA 1024 and 2048, RSA 2048, Ed25519, ECDSA P-256):
// detached signatures over several digests, and a package built with rpmbuild and signed with
// rpmsign (header-only, and --rpmv3 header+payload), each cross-checked with rpm -Kv.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DSA_NATIVE_LIMIT, SignatureVerifier, findSigningKey, readPublicKeys, readSignatures, verifySignature, type PgpPublicKey, type PgpSignature,
} from '../../src/util/pgp/index.js';
import { checkGpg, verifyRpmSignatures } from '../../src/rpm/signature.js';
import { HAVE_GPG, HAVE_RPM, HAVE_RPMSIGN, rpmImport, rpmK, run, tempDir } from './helpers.js';

if (!HAVE_GPG) console.warn('[test/pgp] SKIPPING gpg-generated keys: gpg is not installed');
else if (!HAVE_RPMSIGN) console.warn('[test/pgp] SKIPPING rpmsign tests: rpmsign/rpmbuild are not installed');

interface GenKey { name: string; params: string | null; quick: string | null; digests: string[]; rpmImportable: boolean }
const KEYS: GenKey[] = [
  { name: 'dsa1024', params: 'Key-Type: DSA\nKey-Length: 1024', quick: null, digests: ['sha1', 'sha256'], rpmImportable: true },
  { name: 'dsa2048', params: 'Key-Type: DSA\nKey-Length: 2048', quick: null, digests: ['sha256', 'sha512'], rpmImportable: true },
  { name: 'rsa2048', params: null, quick: 'rsa2048', digests: ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'], rpmImportable: true },
  { name: 'ed25519', params: null, quick: 'ed25519', digests: ['sha256', 'sha512'], rpmImportable: true },
  { name: 'nistp256', params: null, quick: 'nistp256', digests: ['sha256', 'sha512'], rpmImportable: false }, // rpm 4.18 refuses ECDSA keys
];

const tmp = tempDir('gen');
/** the same signature with its last value's last byte changed: the digest (and left 16 bits) still match */
const forge = (sig: PgpSignature): PgpSignature => ({
  ...sig,
  values: sig.values.map((v, i) => (i === sig.values.length - 1 ? Uint8Array.from(v, (b, j) => (j === v.length - 1 ? b ^ 1 : b)) : v)),
});
let home = '';
let env: NodeJS.ProcessEnv = {};
const keys = new Map<string, PgpPublicKey>();
const gpg = (args: string[]): string => {
  const r = run('gpg', ['--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], env);
  if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

describe.skipIf(!HAVE_GPG)('gpg-generated keys', () => {
  beforeAll(() => {
    home = join(tmp.dir, 'g');
    mkdirSync(home, { mode: 0o700 });
    env = { ...process.env, GNUPGHOME: home };
    for (const k of KEYS) {
      const uid = `RFS ${k.name} <${k.name}@example.com>`;
      if (k.params) {
        const f = join(tmp.dir, `${k.name}.params`);
        writeFileSync(f, `%no-protection\n${k.params}\nKey-Usage: sign\nName-Real: RFS ${k.name}\nName-Email: ${k.name}@example.com\nExpire-Date: 0\n%commit\n`);
        gpg(['--gen-key', f]);
      } else {
        gpg(['--quick-gen-key', uid, k.quick!, 'sign', 'never']);
      }
      const armored = gpg(['--armor', '--export', `${k.name}@example.com`]);
      writeFileSync(join(tmp.dir, `${k.name}.asc`), armored);
      const [cert] = readPublicKeys(armored);
      keys.set(k.name, cert!);
    }
  }, 120_000);
  afterAll(() => {
    if (home) run('gpgconf', ['--kill', 'all'], env);
    tmp.cleanup();
  });

  it('key ids match gpg', () => {
    for (const k of KEYS) {
      const r = run('gpg', ['--batch', '--with-colons', '--list-keys', `${k.name}@example.com`], env);
      const fpr = /^fpr:+([0-9A-F]+):/m.exec(r.stdout)![1]!.toLowerCase();
      expect(Buffer.from(keys.get(k.name)!.primary.fingerprint).toString('hex'), k.name).toBe(fpr);
    }
  });

  it.each(KEYS.flatMap((k) => k.digests.map((d) => [k.name, d])))('%s detached signature with %s verifies, and fails on changed data', (name, digest) => {
    const data = join(tmp.dir, `data-${name}-${digest}`);
    const payload = Buffer.from(`signed by ${name} with ${digest}\n`.repeat(100));
    writeFileSync(data, payload);
    for (const armor of [false, true]) {
      const sigFile = `${data}.${armor ? 'asc' : 'sig'}`;
      gpg(['-u', `${name}@example.com`, '--digest-algo', digest, ...(armor ? ['--armor'] : []), '--detach-sign', '-o', sigFile, data]);
      const [sig] = readSignatures(armor ? readFileSync(sigFile, 'utf8') : new Uint8Array(readFileSync(sigFile)));
      const [found] = findSigningKey([keys.get(name)!], { keyId: sig!.issuerKeyId, fingerprint: sig!.issuerFingerprint });
      expect(found, 'issuer found').toBeDefined();
      expect(verifySignature(sig!, found!.key, payload)).toEqual({ status: 'ok', reason: '' });
      // the algorithm itself refuses a changed signature value (not only the left-16 quick check)
      expect(verifySignature(forge(sig!), found!.key, payload)).toEqual({ status: 'bad', reason: expect.stringMatching(/^signature does not verify/) });
      const changed = Buffer.from(payload);
      changed[changed.length - 2]! ^= 1;
      expect(verifySignature(sig!, found!.key, changed).status).toBe('bad');
      // split into chunks, as a package payload arrives
      expect(verifySignature(sig!, found!.key, [payload.subarray(0, 7), payload.subarray(7, 1000), payload.subarray(1000)]).status).toBe('ok');
    }
  });

  it.each([['dsa1024', 1000, 'native'], ['dsa1024', DSA_NATIVE_LIMIT + 1, 'bigint'], ['dsa2048', 1000, 'native'], ['dsa2048', DSA_NATIVE_LIMIT + 1, 'bigint']] as const)(
    '%s over %i bytes is checked %s, and both ways refuse changed data', (name, size, method) => {
      const data = join(tmp.dir, `dsa-${name}-${size}`);
      const payload = Buffer.alloc(size, 0x61);
      writeFileSync(data, payload);
      gpg(['-u', `${name}@example.com`, '--detach-sign', '-o', `${data}.sig`, data]);
      const [sig] = readSignatures(new Uint8Array(readFileSync(`${data}.sig`)));
      const key = keys.get(name)!.primary;
      for (const [s0, bytes, want] of [[sig!, payload, 'ok'], [forge(sig!), payload, 'bad'], [sig!, Buffer.concat([payload.subarray(0, size - 1), Buffer.from('b')]), 'bad']] as const) {
        const v = new SignatureVerifier(s0, key);
        for (let o = 0; o < bytes.length; o += 65536) v.update(bytes.subarray(o, o + 65536));
        expect(v.dsaMethod).toBe(method);
        expect(v.finish().status).toBe(want);
      }
    });

  describe.skipIf(!HAVE_RPMSIGN || !HAVE_RPM)('rpmsign', () => {
    let unsigned = '';
    let db = '';
    beforeAll(() => {
      const top = join(tmp.dir, 'rpmbuild');
      mkdirSync(join(top, 'SPECS'), { recursive: true });
      const spec = join(top, 'SPECS', 'sigtest.spec');
      writeFileSync(spec, [
        'Name: rfs-sigtest', 'Version: 1.0', 'Release: 1', 'Summary: signature test', 'License: MIT', 'BuildArch: noarch',
        '%description', 'signature test', '%install', 'mkdir -p %{buildroot}/etc',
        'head -c 200000 /dev/zero | tr "\\0" x > %{buildroot}/etc/rfs-sigtest.conf', '%files', '/etc/rfs-sigtest.conf', '',
      ].join('\n'));
      db = join(tmp.dir, 'rpmdb');
      const r = run('rpmbuild', ['--quiet', '--define', `_topdir ${top}`, '--dbpath', db, '-bb', spec]);
      expect(r.status, r.stderr).toBe(0);
      unsigned = join(top, 'RPMS', 'noarch', 'rfs-sigtest-1.0-1.noarch.rpm');
      for (const k of KEYS.filter((x) => x.rpmImportable)) expect(rpmImport(db, join(tmp.dir, `${k.name}.asc`)), k.name).toBe(true);
    }, 120_000);

    it.each(KEYS.filter((k) => k.rpmImportable).flatMap((k) => [[k.name, false], [k.name, true]] as [string, boolean][]))('%s (rpmv3 %s): rpm -Kv and we agree, intact and with a flipped payload byte', async (name, v3) => {
      const file = join(tmp.dir, `${name}${v3 ? '-v3' : ''}.rpm`);
      copyFileSync(unsigned, file);
      const fpr = Buffer.from(keys.get(name)!.primary.fingerprint).toString('hex');
      const s = run('rpmsign', ['--addsign', ...(v3 ? ['--rpmv3'] : []), '--define', `_gpg_name ${fpr}`, '--define', `_gpg_path ${home}`, '--define', '__gpg /usr/bin/gpg', file], env);
      expect(s.status, s.stderr).toBe(0);
      const all = [...keys.values()];
      const r = await verifyRpmSignatures(file, all);
      expect(r.verified).toBe(true);
      expect(r.signatures.map((x) => x.covers)).toEqual(v3 ? ['header', 'header+payload'] : ['header']);
      expect(checkGpg(r).map((k) => k.primaryFingerprint)).toEqual([fpr]);
      const ours = (rr: typeof r): unknown => rr.signatures.map((x) => ({ covers: x.covers, keyId: x.keyId.slice(-8), status: x.status }));
      expect(rpmK(db, file)).toEqual(ours(r));
      const bytes = readFileSync(file);
      bytes[bytes.length - 100]! ^= 0x01;
      writeFileSync(file, bytes);
      const bad = await verifyRpmSignatures(file, all);
      expect(rpmK(db, file)).toEqual(ours(bad));
      expect(bad.verified).toBe(!v3); // header-only signatures do not cover the payload (the payload digest does)
    });
  });
});
