// Public key certificates (transferable public keys): primary key, user ids, subkeys, their
// self-signatures; key ids and fingerprints for key versions 3, 4, 5 and 6.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { dearmor } from './armor.js';
import { CURVES, pubkeyAlgoName } from './algorithms.js';
import { PACKET, packetBytes, readPackets, type PgpPacket } from './packets.js';
import { PgpReader, be32, hex, pgpFail, type PgpErrorOptions } from './reader.js';
import { parseSignature, type PgpSignature } from './signature.js';
import { toBig, type DsaParams } from './dsa.js';

export interface PgpKey {
  version: number;
  algorithm: number;
  /** e.g. 'RSA', 'DSA', 'EdDSA', 'Ed25519' */
  algorithmName: string;
  created: number;
  /** v3: MD5, v4: SHA-1, v5/v6: SHA-256 */
  fingerprint: Uint8Array;
  /** v3: low 64 bits of the RSA modulus; v4: low 64 bits of the fingerprint; v5/v6: high 64 bits */
  keyId: Uint8Array;
  /** modulus/prime size in bits, or the curve's */
  bits: number;
  curve: string | null;
  /** the key material as node:crypto can use it, or null (encryption-only or unsupported algorithm) */
  keyObject: KeyObject | null;
  /** the key packet body, what fingerprints and certification hashes are computed over */
  body: Uint8Array;
  /** DSA domain: byte length of q */
  qBytes: number;
  /** DSA parameters, verified with BigInt from the digest (see dsa.ts) */
  dsa: DsaParams | null;
}

export interface PgpSubkey extends PgpKey {
  bindings: PgpSignature[];
}

export interface PgpUserId {
  id: string;
  raw: Uint8Array;
  certifications: PgpSignature[];
}

export interface PgpPublicKey {
  primary: PgpKey;
  /** first user id, the name rpm shows */
  userId: string | null;
  userIds: PgpUserId[];
  subkeys: PgpSubkey[];
  directSignatures: PgpSignature[];
  /** the certificate's binary packets exactly as read (what rpm base64-encodes into PUBKEYS) */
  packets: Uint8Array;
}

const b64u = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64url');

function derLen(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v >>= 8) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}
function der(tag: number, ...content: Uint8Array[]): Uint8Array {
  const len = content.reduce((a, c) => a + c.length, 0);
  return Uint8Array.from([tag, ...derLen(len), ...content.flatMap((c) => [...c])]);
}
function derInt(mag: Uint8Array): Uint8Array {
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  const m = mag.subarray(i);
  return der(0x02, m[0]! & 0x80 ? Uint8Array.of(0, ...m) : m);
}
const DSA_OID = Uint8Array.from([0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01]);

function dsaKey(p: Uint8Array, q: Uint8Array, g: Uint8Array, y: Uint8Array): KeyObject {
  const algo = der(0x30, DSA_OID, der(0x30, derInt(p), derInt(q), derInt(g)));
  const spki = der(0x30, algo, der(0x03, Uint8Array.of(0), derInt(y)));
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

function okp(crv: string, x: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: b64u(x) }, format: 'jwk' });
}

/** bit length of a big-endian magnitude */
function bitLength(m: Uint8Array): number {
  let i = 0;
  while (i < m.length && m[i] === 0) i++;
  return i === m.length ? 0 : (m.length - i - 1) * 8 + (32 - Math.clz32(m[i]!));
}

/**
 * Key sizes beyond what any OpenPGP implementation generates: RSA and ElGamal up to 16384 bits
 * (gpg's limit), DSA p up to 4096 and q up to 256 bits (FIPS 186-4: 3072/256). A larger DSA key
 * would make the BigInt check (dsa.ts) run for minutes per signature.
 */
export const KEY_BOUNDS = { rsaBits: 16384, elgamalBits: 16384, dsaPBits: 4096, dsaQBits: 256 } as const;
/** per certificate: subkeys, and signatures on one key, user id or subkey (real rpm keys: a handful) */
export const MAX_SUBKEYS = 100;
export const MAX_SIGNATURES = 1000;
/** certificates in one key file */
export const MAX_CERTIFICATES = 1000;

/** Parse a public key or subkey packet body. */
export function parseKeyPacket(body: Uint8Array, opts: PgpErrorOptions = {}): PgpKey {
  const r: PgpReader = new PgpReader(body, 'public key packet', opts);
  const version = r.u8();
  if (version < 2 || version > 6) r.fail(`unsupported key version ${version}`);
  const created = r.u32();
  if (version <= 3) r.u16(); // validity days
  const algorithm = r.u8();
  if (version >= 5) {
    const len = r.u32();
    if (len !== r.remaining) r.fail(`key material length ${len} does not match the ${r.remaining} bytes present`);
  }
  let keyObject: KeyObject | null = null;
  let bits = 0;
  let curve: string | null = null;
  let qBytes = 0;
  let dsa: DsaParams | null = null;
  let rsaN: Uint8Array | null = null;
  let rsaE: Uint8Array | null = null;
  const build = (f: () => KeyObject): KeyObject | null => {
    try {
      return f();
    } catch {
      return null; // parameters node:crypto rejects: the key stays listed, verification says why
    }
  };
  switch (algorithm) {
    case 1: case 2: case 3: {
      const n = r.mpi();
      const e = r.mpi();
      rsaN = n;
      rsaE = e;
      bits = bitLength(n);
      if (bits > KEY_BOUNDS.rsaBits) r.fail(`RSA modulus of ${bits} bits (the most accepted is ${KEY_BOUNDS.rsaBits})`);
      keyObject = build(() => createPublicKey({ key: { kty: 'RSA', n: b64u(n), e: b64u(e) }, format: 'jwk' }));
      break;
    }
    case 17: {
      const p = r.mpi();
      const q = r.mpi();
      const g = r.mpi();
      const y = r.mpi();
      bits = bitLength(p);
      if (bits > KEY_BOUNDS.dsaPBits || bitLength(q) > KEY_BOUNDS.dsaQBits) {
        r.fail(`DSA key of ${bits}/${bitLength(q)} bits (the most accepted is ${KEY_BOUNDS.dsaPBits}/${KEY_BOUNDS.dsaQBits})`);
      }
      qBytes = (bitLength(q) + 7) >> 3;
      keyObject = build(() => dsaKey(p, q, g, y));
      dsa = { p: toBig(p), q: toBig(q), g: toBig(g), y: toBig(y) };
      break;
    }
    case 16: case 20: {
      bits = bitLength(r.mpi());
      if (bits > KEY_BOUNDS.elgamalBits) r.fail(`ElGamal prime of ${bits} bits (the most accepted is ${KEY_BOUNDS.elgamalBits})`);
      r.mpi();
      r.mpi();
      break;
    }
    case 18: case 19: case 22: {
      const oidLen = r.u8();
      if (oidLen === 0 || oidLen === 0xff) r.fail('reserved curve OID length');
      const oid = hex(r.bytes(oidLen));
      const point = r.mpi();
      if (algorithm === 18) r.bytes(r.u8()); // KDF parameters
      const c = CURVES[oid];
      curve = c?.name ?? `OID ${oid}`;
      if (c?.kty === 'EC' && algorithm === 19 && point[0] === 4) {
        const half = (point.length - 1) / 2;
        bits = half * 8;
        keyObject = build(() => createPublicKey({ key: { kty: 'EC', crv: c.jwk!, x: b64u(point.subarray(1, 1 + half)), y: b64u(point.subarray(1 + half)) }, format: 'jwk' }));
      } else if (c?.kty === 'OKP' && algorithm === 22) {
        // native point format: 0x40 prefix, then the raw public key
        bits = c.jwk === 'Ed25519' ? 256 : 456;
        const x = point[0] === 0x40 ? point.subarray(1) : point;
        keyObject = build(() => okp(c.jwk!, x));
      }
      break;
    }
    case 25: r.bytes(32); curve = 'Curve25519'; bits = 256; break;
    case 26: r.bytes(56); curve = 'X448'; bits = 448; break;
    case 27: {
      const x = r.bytes(32);
      curve = 'Ed25519';
      bits = 256;
      keyObject = build(() => okp('Ed25519', x));
      break;
    }
    case 28: {
      const x = r.bytes(57);
      curve = 'Ed448';
      bits = 456;
      keyObject = build(() => okp('Ed448', x));
      break;
    }
    default:
      if (version < 5) r.fail(`unknown public key algorithm ${algorithm} in a v${version} key`);
      r.rest(); // v5/v6 carry the material length, so unknown algorithms (e.g. ML-DSA) still parse
  }
  if (version < 5 && r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the key material`);
  let fingerprint: Uint8Array;
  let keyId: Uint8Array;
  if (version <= 3) {
    if (!rsaN || !rsaE) r.fail(`v${version} keys must be RSA`);
    fingerprint = new Uint8Array(createHash('md5').update(rsaN).update(rsaE).digest());
    keyId = rsaN.slice(Math.max(0, rsaN.length - 8));
  } else if (version === 4) {
    fingerprint = new Uint8Array(createHash('sha1').update(Uint8Array.of(0x99, body.length >> 8, body.length & 0xff)).update(body).digest());
    keyId = fingerprint.slice(12);
  } else {
    fingerprint = new Uint8Array(createHash('sha256').update(Uint8Array.of(version === 6 ? 0x9b : 0x9a)).update(be32(body.length)).update(body).digest());
    keyId = fingerprint.slice(0, 8);
  }
  return { version, algorithm, algorithmName: pubkeyAlgoName(algorithm), created, fingerprint, keyId, bits, curve, keyObject, body, qBytes, dsa };
}

/** Split a packet sequence into certificates, one per primary key packet. */
function certificates(pk: PgpPacket[], all: Uint8Array, opts: PgpErrorOptions): PgpPublicKey[] {
  const out: PgpPublicKey[] = [];
  let cur: PgpPublicKey | null = null;
  let start = 0;
  let last: { sigs: PgpSignature[] } | null = null;
  const close = (end: number): void => {
    if (cur) cur.packets = all.slice(start, end);
  };
  const tooMany = (what: string, max: number): never => pgpFail('public key', `more than ${max} ${what} (the file is malformed or crafted to exhaust resources)`, opts);
  for (const p of pk) {
    if (p.tag === PACKET.PUBLIC_KEY) {
      if (out.length >= MAX_CERTIFICATES) tooMany('certificates in one key file', MAX_CERTIFICATES);
      close(p.offset);
      start = p.offset;
      cur = { primary: parseKeyPacket(p.body, opts), userId: null, userIds: [], subkeys: [], directSignatures: [], packets: new Uint8Array(0) };
      out.push(cur);
      last = { sigs: cur.directSignatures };
      continue;
    }
    if (!cur) {
      if (p.tag === PACKET.MARKER) continue;
      pgpFail('public key', `packet type ${p.tag} before any public key packet (is this a public key?)`, opts);
    }
    if (p.tag === PACKET.USER_ID) {
      const u: PgpUserId = { id: Buffer.from(p.body).toString('utf8'), raw: p.body, certifications: [] };
      cur.userIds.push(u);
      cur.userId ??= u.id;
      last = { sigs: u.certifications };
    } else if (p.tag === PACKET.PUBLIC_SUBKEY) {
      if (cur.subkeys.length >= MAX_SUBKEYS) tooMany('subkeys in one certificate', MAX_SUBKEYS);
      const s: PgpSubkey = { ...parseKeyPacket(p.body, opts), bindings: [] };
      cur.subkeys.push(s);
      last = { sigs: s.bindings };
    } else if (p.tag === PACKET.SIGNATURE) {
      if (last && last.sigs.length >= MAX_SIGNATURES) tooMany('signatures on one key, user id or subkey', MAX_SIGNATURES);
      const sig = tryParse(p.body, opts);
      if (sig && last) last.sigs.push(sig);
    } else if (p.tag === PACKET.USER_ATTRIBUTE) {
      last = null; // photo ids: their certifications are not needed
    } else if (p.tag === 5 || p.tag === 7) {
      pgpFail('public key', 'this is a secret key: give the public key', opts);
    }
  }
  close(all.length);
  return out;
}

function tryParse(body: Uint8Array, opts: PgpErrorOptions): PgpSignature | null {
  try {
    return parseSignature(body, opts);
  } catch {
    return null; // an unreadable certification (e.g. a future version) does not invalidate the key
  }
}

/** All certificates in an armored or binary key file (a keyring may hold several). */
export function readPublicKeys(input: string | Uint8Array, opts: PgpErrorOptions = {}): PgpPublicKey[] {
  const blocks = packetBytes(input, (t) => dearmor(t, opts).filter((b) => b.label === 'PGP PUBLIC KEY BLOCK').map((b) => b.bytes));
  const keys = blocks.flatMap((b) => certificates(readPackets(b, opts), b, opts));
  if (keys.length === 0) pgpFail('public key', 'no public key packet found', opts);
  return keys;
}

/** hex helpers for reports */
export const keyIdHex = (k: { keyId: Uint8Array }): string => hex(k.keyId);
export const fingerprintHex = (k: { fingerprint: Uint8Array }): string => hex(k.fingerprint);

/** The primary key or subkey matching an issuer key id (8 bytes) or fingerprint. */
export function findSigningKey(
  certs: readonly PgpPublicKey[],
  issuer: { keyId: Uint8Array | null; fingerprint: Uint8Array | null },
): { cert: PgpPublicKey; key: PgpKey }[] {
  const out: { cert: PgpPublicKey; key: PgpKey }[] = [];
  const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  for (const cert of certs) {
    for (const key of [cert.primary, ...cert.subkeys]) {
      if (issuer.fingerprint ? eq(key.fingerprint, issuer.fingerprint) : issuer.keyId ? eq(key.keyId, issuer.keyId) : false) out.push({ cert, key });
    }
  }
  return out;
}
