// OpenPGP basics on real keys: armor with CRC-24, packets, key ids and fingerprints (checked
// against gpg's), self-signatures of every algorithm, and clean errors on damaged input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkSelfSignatures, crc24, dearmor, fingerprintHex, isSubkeyBound, keyIdHex, parseKeyPacket, parseSignature, readPackets,
  readPublicKeys, readSignatures, verifySignature,
} from '../../src/util/pgp/index.js';
import { isRfsError } from '../../src/errors/index.js';
import { CENTOS_KEYS, DATA, HAVE_GPG, run, tempDir } from './helpers.js';

const RSA_TEST = join(DATA, 'rpm.org-rsa-2048-test.pub');
const text = (f: string): string => readFileSync(f, 'utf8');

function expectRfs(fn: () => unknown, re: RegExp, code = 'RFS_RPM_SIGNATURE'): void {
  try {
    fn();
  } catch (e) {
    expect(isRfsError(e), String(e)).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    expect((e as Error).message).toMatch(re);
    return;
  }
  throw new Error('expected an RfsError');
}

describe('armor', () => {
  it('CRC-24 as RFC 4880 §6.1 defines it', () => {
    expect(crc24(new Uint8Array(0))).toBe(0xb704ce);
    expect(crc24(new TextEncoder().encode('123456789'))).toBe(0x21cf02); // the CRC-24/OpenPGP check value
  });

  it('dearmors a key and checks its checksum', () => {
    const [b] = dearmor(text(RSA_TEST));
    expect(b!.label).toBe('PGP PUBLIC KEY BLOCK');
    expect(b!.headers).toEqual({ Version: 'GnuPG v2' });
    expect(b!.bytes[0]).toBe(0x99); // old-format public key packet, 2-byte length
  });

  it('rejects a wrong CRC, a changed byte, non-base64 and a missing END line', () => {
    const t = text(RSA_TEST);
    expectRfs(() => dearmor(t.replace('=Z6nu', '=Z6nv')), /checksum mismatch/);
    expectRfs(() => dearmor(t.replace('mQENBFjmORgBCAC7', 'mQENBFjmORgBCAC8')), /checksum mismatch/);
    expectRfs(() => dearmor(t.replace('mQENBFjmORgBCAC7', 'mQENBFjmOR*BCAC7')), /not base64/);
    expectRfs(() => dearmor(t.replace('-----END PGP PUBLIC KEY BLOCK-----', '')), /no matching END/);
    expectRfs(() => dearmor('hello'), /no "-----BEGIN PGP/);
    expectRfs(() => readPublicKeys('just text', { code: 'RFS_BAD_CONFIG', subject: 'k.asc' }), /BEGIN PGP/, 'RFS_BAD_CONFIG');
  });
});

describe('packets', () => {
  it('walks old and new formats, including partial body lengths', () => {
    // new format, tag 11 (literal data), partial lengths 2^1 then 2^0 then a final 3-byte part
    const bytes = Uint8Array.of(0xcb, 0xe1, 1, 2, 0xe0, 3, 3, 4, 5, 6, 0x88, 2, 9, 9);
    const ps = readPackets(bytes);
    expect(ps.map((p) => p.tag)).toEqual([11, 2]);
    expect([...ps[0]!.body]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...ps[1]!.body]).toEqual([9, 9]);
  });

  it('names truncation and garbage instead of crashing', () => {
    const key = dearmor(text(RSA_TEST))[0]!.bytes;
    expectRfs(() => readPackets(key.subarray(0, key.length - 10)), /truncated packet/);
    expectRfs(() => readPackets(Uint8Array.of(0x12, 0x34)), /not a packet header/);
    expectRfs(() => readPackets(Uint8Array.of(0xc2)), /truncated packet header/);
    // a signature packet cut inside its subpackets
    const sigPacket = readPackets(key).find((p) => p.tag === 2)!;
    expectRfs(() => parseSignature(sigPacket.body.subarray(0, 20)), /truncated|overruns/);
    expectRfs(() => parseSignature(Uint8Array.of(9, 0, 1, 8)), /unsupported signature version 9/);
  });

  it('unknown algorithms: a v4 key is refused by name, a signature is kept and reported unsupported', () => {
    const body = Uint8Array.of(4, 0, 0, 0, 1, 99, 0, 8, 0xff);
    expectRfs(() => parseKeyPacket(body), /unknown public key algorithm 99/);
    const rsa = readPublicKeys(text(RSA_TEST))[0]!;
    const sigBody = Uint8Array.of(4, 0, 99, 8, 0, 0, 0, 0, 0xab, 0xcd, 1, 2, 3);
    const sig = parseSignature(sigBody);
    expect(sig.algorithmName).toBe('algorithm 99/SHA256');
    expect(verifySignature(sig, rsa.primary, new Uint8Array(1))).toEqual({ status: 'unsupported', reason: 'unsupported signature algorithm algorithm 99' });
    const unknownHash = parseSignature(Uint8Array.of(4, 0, 1, 77, 0, 0, 0, 0, 0xab, 0xcd, 0, 8, 0xff));
    expect(verifySignature(unknownHash, rsa.primary, new Uint8Array(1)).reason).toMatch(/unsupported hash algorithm hash 77/);
  });
});

const KEY_FILES = [
  ...[2, 3, 4, 5, 6, 7].map((n) => join(CENTOS_KEYS, `RPM-GPG-KEY-CentOS-${n}`)),
  join(DATA, 'rpm.org-rsa-2048-test.pub'),
  join(DATA, 'rpm.org-rsa-2048-add-subkey.asc'),
  join(DATA, 'rpm.org-ed25519-subkey-test.pub'),
  join(DATA, 'rpm-testkey-v4-keyring.asc'),
  join(DATA, 'rpm-testkey-v4-ecdsa-nistp256.asc'),
  join(DATA, 'rpm.org-v6-ed25519-test.asc'),
  join(DATA, 'rpm-testkey-v6-rsa4k-cert.asc'),
];
const V6_KEY = join(DATA, 'rpm.org-v6-ed25519-test.asc');
const V6_KEYS = [V6_KEY, join(DATA, 'rpm-testkey-v6-rsa4k-cert.asc')];

describe('public keys', () => {
  it.each(KEY_FILES.map((f) => [f.split('/').pop()!, f]))('%s: every self-signature verifies', (_n, f) => {
    const certs = readPublicKeys(text(f));
    for (const c of certs) {
      const checks = checkSelfSignatures(c);
      expect(checks.length).toBeGreaterThan(0);
      for (const ch of checks) expect(ch.result, ch.what).toEqual({ status: 'ok', reason: '' });
      expect(c.userId).not.toBeNull();
    }
  });

  it('a changed user id no longer verifies its certification', () => {
    const c = readPublicKeys(text(KEY_FILES[3]!))[0]!; // CentOS-5, DSA
    c.userIds[0] = { ...c.userIds[0]!, raw: new TextEncoder().encode('Mallory <m@example.com>') };
    expect(checkSelfSignatures(c)[0]!.result.status).toBe('bad');
  });

  it.skipIf(!HAVE_GPG)('key ids and fingerprints match gpg --show-keys for all keys and subkeys', () => {
    const home = tempDir('gpg-show');
    for (const f of KEY_FILES.filter((x) => !V6_KEYS.includes(x))) { // gpg 2.2 does not read v6 keys
      const r = run('gpg', ['--batch', '--with-colons', '--show-keys', f], { ...process.env, GNUPGHOME: home.dir });
      const gpgFprs = [...r.stdout.matchAll(/^fpr:+([0-9A-F]+):/gm)].map((m) => m[1]!.toLowerCase());
      const gpgIds = [...r.stdout.matchAll(/^(?:pub|sub):[^:]*:\d+:\d+:([0-9A-F]{16}):/gm)].map((m) => m[1]!.toLowerCase());
      const ours = readPublicKeys(text(f)).flatMap((c) => [c.primary, ...c.subkeys]);
      expect(ours.map(fingerprintHex), f).toEqual(gpgFprs);
      expect(ours.map(keyIdHex), f).toEqual(gpgIds);
    }
    home.cleanup();
  });

  it('v6 (RFC 9580): SHA-256 fingerprints, key id = their first 8 bytes, salted v6 self-signatures', () => {
    const [c] = readPublicKeys(text(V6_KEY));
    expect(c!.primary.version).toBe(6);
    expect(fingerprintHex(c!.primary)).toBe('036824f0ac60aed6f1a3256f88190469f6d7255e3d8e41c577233aa03e0bb9d3');
    expect(keyIdHex(c!.primary)).toBe('036824f0ac60aed6');
    // every self-signature names its issuer by that fingerprint
    for (const u of c!.userIds) for (const s of u.certifications) {
      expect(s.version).toBe(6);
      expect(s.salt).toHaveLength(32); // SHA-512
      expect(Buffer.from(s.issuerFingerprint!).toString('hex')).toBe(fingerprintHex(c!.primary));
    }
    expect(c!.subkeys.map((s) => [s.version, s.algorithmName, keyIdHex(s)])).toEqual([[6, 'Ed25519', '6118abe481c41473']]);
    // the subkey binding's embedded back-signature names the subkey by its v6 fingerprint
    const bind = c!.subkeys[0]!.bindings[0]!;
    const embedded = bind.subpackets.find((sp) => sp.type === 32)!;
    expect(Buffer.from(parseSignature(embedded.body).issuerFingerprint!).toString('hex')).toBe(fingerprintHex(c!.subkeys[0]!));
    const checks = checkSelfSignatures(c!);
    expect(checks.map((x) => x.what)).toEqual(['user id "<ed25519-test@rpm.org>"', 'user id "rpm.org ed25519 v6 testkey"', 'user id "v6-ed25519-testkey"', 'subkey 6118abe481c41473', 'direct key signature']);
    // a changed Ed25519 signature value is refused by the algorithm itself (digest unchanged)
    const s0 = c!.userIds[0]!.certifications[0]!;
    const v0 = s0.values[0]!;
    v0[63]! ^= 1;
    expect(checkSelfSignatures(c!)[0]!.result).toEqual({ status: 'bad', reason: 'signature does not verify' });
    v0[63]! ^= 1;
    // one changed salt byte breaks the signature
    s0.salt[0]! ^= 1;
    expect(checkSelfSignatures(c!)[0]!.result.status).toBe('bad');
  });

  it('subkeys: bound ones are usable, revoked or unbound ones are not', () => {
    const [c] = readPublicKeys(text(join(DATA, 'rpm.org-ed25519-subkey-test.pub')));
    // gpg --show-keys: F6EABB04 [E] revoked, A9ECF25C [S], DBF8808F [S] revoked, 511ED0D4 [E]
    expect(c!.subkeys.map((s) => [keyIdHex(s), isSubkeyBound(c!, s)])).toEqual([
      ['f6eabb0459015be2', false], ['a9ecf25cf5757247', true], ['dbf8808f7bab107a', false], ['511ed0d463e4b138', true],
    ]);
    expect(isSubkeyBound(c!, c!.primary)).toBe(true);
    const [d] = readPublicKeys(text(join(DATA, 'rpm.org-ed25519-subkey-test.pub')));
    d!.subkeys[1]!.bindings = [];
    expect(isSubkeyBound(d!, d!.subkeys[1]!)).toBe(false);
  });

  it('reads the algorithms rpm signs with', () => {
    const all = KEY_FILES.flatMap((f) => readPublicKeys(text(f))).flatMap((c) => [c.primary, ...c.subkeys]);
    const kinds = new Set(all.map((k) => `${k.algorithmName}${k.curve ? `/${k.curve}` : ''}/${k.keyObject ? 'usable' : 'no-key-object'}`));
    expect([...kinds].sort()).toEqual([
      'DSA/usable', 'ECDH/Curve25519/no-key-object', 'ECDSA/NIST P-256/usable', 'Ed25519/Ed25519/usable', 'EdDSA/Ed25519/usable', 'ElGamal/no-key-object', 'RSA/usable',
    ]);
    const c4 = readPublicKeys(text(KEY_FILES[2]!))[0]!;
    expect([c4.primary.bits, c4.primary.qBytes, keyIdHex(c4.primary)]).toEqual([1024, 20, 'a53d0bab443e1821']);
  });

  it('refuses a secret key with a clear message', () => {
    const pub = dearmor(text(RSA_TEST))[0]!.bytes;
    const asSecret = Uint8Array.from(pub);
    asSecret[0] = 0x95; // old format, tag 5 (secret key), 2-byte length
    expectRfs(() => readPublicKeys(asSecret), /packet type 5 before any public key/);
  });

  it('reads a binary signature and finds its issuer', () => {
    const c = readPublicKeys(text(RSA_TEST))[0]!;
    const cert = c.userIds[0]!.certifications[0]!;
    const again = readSignatures(cert.body.length < 192 ? Uint8Array.of(0xc2, cert.body.length, ...cert.body) : Uint8Array.of(0xc2, 0xff, 0, 0, cert.body.length >> 8, cert.body.length & 0xff, ...cert.body))[0]!;
    expect(Buffer.from(again.issuerKeyId!).toString('hex')).toBe('4344591e1964c5fc');
    expect(again.type).toBe(0x13);
    expect(again.algorithmName).toBe('RSA/SHA256');
  });
});
