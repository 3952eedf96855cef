// Hostile key material: key files crafted packet by packet with key sizes no implementation
// generates (a 8192-bit DSA q makes each BigInt check take minutes), hundreds of subkeys or
// thousands of signatures. Each is refused by readPublicKeys with the caller's error code and
// a reason, quickly; keys at the bounds still read.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isRfsError } from '../../src/errors/index.js';
import { KEY_BOUNDS, MAX_SIGNATURES, MAX_SUBKEYS, readPublicKeys } from '../../src/util/pgp/keys.js';

/** a new-format packet with a 5-byte length */
function packet(tag: number, body: Uint8Array): Uint8Array {
  const h = Buffer.alloc(6);
  h[0] = 0xc0 | tag;
  h[1] = 255;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}
/** an MPI of exactly `bits` bits (top bit set) */
function mpi(bits: number): Uint8Array {
  const b = randomBytes((bits + 7) >> 3);
  b[0] = (b[0]! & (0xff >> ((8 - (bits % 8)) % 8))) | (1 << ((bits - 1) % 8));
  const h = Buffer.alloc(2);
  h.writeUInt16BE(bits);
  return Buffer.concat([h, b]);
}
const keyBody = (algo: number, material: Uint8Array[]): Uint8Array => Buffer.concat([Buffer.from([4, 0x60, 0, 0, 0, algo]), ...material]);
const dsa = (p: number, q: number): Uint8Array => packet(6, keyBody(17, [mpi(p), mpi(q), mpi(p - 1), mpi(p - 1)]));
const rsa = (bits: number, tag = 6): Uint8Array => packet(tag, keyBody(1, [mpi(bits), mpi(17)]));
const ed25519 = (tag: number): Uint8Array => packet(tag, keyBody(27, [randomBytes(32)]));
const uid = packet(13, Buffer.from('hostile <h@example.com>'));
/** a v4 positive certification by an EdDSA key: no subpackets, an all-zero signature */
const sig = packet(2, Buffer.concat([Buffer.from([4, 0x13, 22, 8, 0, 0, 0, 0, 0, 0]), mpi(255), mpi(255)]));

function refused(input: Uint8Array): string {
  const t0 = Date.now();
  try {
    readPublicKeys(input, { code: 'RFS_BAD_CONFIG', subject: 'hostile.asc' });
  } catch (err) {
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isRfsError(err) && err.code).toBe('RFS_BAD_CONFIG');
    expect(isRfsError(err) && err.subject).toBe('hostile.asc');
    return (err as Error).message;
  }
  throw new Error('accepted');
}

describe('hostile public keys', () => {
  it('a DSA key with an 8192-bit q (minutes per BigInt check) is refused', () => {
    expect(refused(Buffer.concat([dsa(8192, 8192), uid]))).toMatch(/DSA key of 8192\/8192 bits \(the most accepted is 4096\/256\)/);
    expect(refused(Buffer.concat([dsa(3072, 512), uid]))).toMatch(/DSA key of 3072\/512 bits/);
  });

  it('RSA and ElGamal beyond 16384 bits are refused', () => {
    expect(refused(Buffer.concat([rsa(20000), uid]))).toMatch(/RSA modulus of 20000 bits/);
    const elg = packet(14, keyBody(16, [mpi(20000), mpi(8), mpi(20000)]));
    expect(refused(Buffer.concat([rsa(2048), uid, elg]))).toMatch(/ElGamal prime of 20000 bits/);
  });

  it('keys at the bounds still read', () => {
    const keys = readPublicKeys(Buffer.concat([dsa(KEY_BOUNDS.dsaPBits, KEY_BOUNDS.dsaQBits), uid, rsa(KEY_BOUNDS.rsaBits, 14)]));
    expect(keys).toHaveLength(1);
    expect(keys[0]!.primary.bits).toBe(4096);
    expect(keys[0]!.subkeys[0]!.bits).toBe(16384);
  });

  it('more subkeys than the bound are refused; the bound itself reads', () => {
    const subs = (n: number): Uint8Array[] => Array.from({ length: n }, () => ed25519(14));
    expect(readPublicKeys(Buffer.concat([ed25519(6), uid, ...subs(MAX_SUBKEYS)]))[0]!.subkeys).toHaveLength(MAX_SUBKEYS);
    expect(refused(Buffer.concat([ed25519(6), uid, ...subs(MAX_SUBKEYS + 1)]))).toMatch(/more than 100 subkeys in one certificate/);
  });

  it('more signatures on one user id than the bound are refused', () => {
    const sigs = (n: number): Uint8Array[] => Array.from({ length: n }, () => sig);
    expect(readPublicKeys(Buffer.concat([ed25519(6), uid, ...sigs(MAX_SIGNATURES)]))[0]!.userIds[0]!.certifications).toHaveLength(MAX_SIGNATURES);
    expect(refused(Buffer.concat([ed25519(6), uid, ...sigs(MAX_SIGNATURES + 1)]))).toMatch(/more than 1000 signatures/);
  });

  it('an unknown algorithm in a v4 key and a truncated MPI are clear errors', () => {
    expect(refused(packet(6, keyBody(99, [randomBytes(16)])))).toMatch(/unknown public key algorithm 99/);
    const cut = Buffer.from(keyBody(1, [mpi(2048)]));
    cut.writeUInt16BE(4096, 6); // the MPI claims twice the bytes present
    expect(refused(packet(6, cut))).toMatch(/reading public key packet/);
  });
});
