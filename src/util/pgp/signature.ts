// Signature packets v3, v4 and v6 (RFC 4880 §5.2, RFC 9580 §5.2): fields, subpackets, and the
// trailer that is hashed after the signed data.
import { dearmor } from './armor.js';
import { hashAlgoName, pubkeyAlgoName } from './algorithms.js';
import { PACKET, packetBytes, readPackets } from './packets.js';
import { PgpReader, be32, pgpFail, type PgpErrorOptions } from './reader.js';

export const SUBPACKET = {
  CREATION_TIME: 2,
  EXPIRATION_TIME: 3,
  KEY_EXPIRATION_TIME: 9,
  ISSUER_KEY_ID: 16,
  KEY_FLAGS: 27,
  EMBEDDED_SIGNATURE: 32,
  ISSUER_FINGERPRINT: 33,
} as const;

export interface PgpSubpacket {
  type: number;
  critical: boolean;
  hashed: boolean;
  body: Uint8Array;
}

export interface PgpSignature {
  version: number;
  /** 0x00 binary document, 0x10–0x13 certifications, 0x18 subkey binding, 0x19 primary binding, ... */
  type: number;
  pubAlgo: number;
  hashAlgo: number;
  /** e.g. 'DSA/SHA1', as rpm prints it */
  algorithmName: string;
  created: number | null;
  issuerKeyId: Uint8Array | null;
  /** v4: 20 bytes, v6: 32 bytes (from the issuer fingerprint subpacket) */
  issuerFingerprint: Uint8Array | null;
  subpackets: PgpSubpacket[];
  /** first two bytes of the digest, a quick check */
  left16: Uint8Array;
  /** v6: hashed before the data */
  salt: Uint8Array;
  /** hashed after the data */
  trailer: Uint8Array;
  /** algorithm-specific fields: MPIs for RSA/DSA/ECDSA/EdDSA, one raw value for Ed25519/Ed448 */
  values: Uint8Array[];
  /** the packet body */
  body: Uint8Array;
}

function readSubpackets(r: PgpReader, len: number, hashed: boolean): PgpSubpacket[] {
  const end = r.pos + len;
  if (end > r.buf.length) r.fail(`subpacket area of ${len} bytes overruns the packet`);
  const out: PgpSubpacket[] = [];
  while (r.pos < end) {
    let l = r.u8();
    if (l >= 192 && l < 255) l = ((l - 192) << 8) + r.u8() + 192;
    else if (l === 255) l = r.u32();
    if (l === 0 || r.pos + l > end) r.fail('subpacket length overruns its area');
    const t = r.u8();
    out.push({ type: t & 0x7f, critical: (t & 0x80) !== 0, hashed, body: r.bytes(l - 1) });
  }
  return out;
}

const SALT_SIZE: Record<number, number> = { 8: 16, 9: 24, 10: 32, 11: 16, 12: 16, 14: 32 };

/** Parse one signature packet body. */
export function parseSignature(body: Uint8Array, opts: PgpErrorOptions = {}): PgpSignature {
  const r: PgpReader = new PgpReader(body, 'signature packet', opts);
  const version = r.u8();
  let type: number;
  let pubAlgo: number;
  let hashAlgo: number;
  let created: number | null = null;
  let issuerKeyId: Uint8Array | null = null;
  let issuerFingerprint: Uint8Array | null = null;
  let subpackets: PgpSubpacket[] = [];
  let trailer: Uint8Array;
  let salt: Uint8Array = new Uint8Array(0);
  if (version === 2 || version === 3) {
    if (r.u8() !== 5) r.fail('v3 signature hashed length must be 5');
    type = r.u8();
    created = r.u32();
    trailer = body.subarray(2, 7); // type + creation time
    issuerKeyId = r.bytes(8);
    pubAlgo = r.u8();
    hashAlgo = r.u8();
  } else if (version === 4 || version === 6) {
    type = r.u8();
    pubAlgo = r.u8();
    hashAlgo = r.u8();
    const wide = version === 6;
    const hashedLen = wide ? r.u32() : r.u16();
    subpackets = readSubpackets(r, hashedLen, true);
    const hashedEnd = r.pos;
    const unhashedLen = wide ? r.u32() : r.u16();
    subpackets.push(...readSubpackets(r, unhashedLen, false));
    trailer = new Uint8Array(hashedEnd + 6);
    trailer.set(body.subarray(0, hashedEnd));
    trailer.set([version, 0xff, ...be32(hashedEnd)], hashedEnd);
    for (const sp of subpackets) {
      if (sp.type === SUBPACKET.CREATION_TIME && sp.hashed && sp.body.length === 4) created ??= new PgpReader(sp.body, 'creation time').u32();
      else if (sp.type === SUBPACKET.ISSUER_KEY_ID && sp.body.length === 8) issuerKeyId ??= sp.body;
      else if (sp.type === SUBPACKET.ISSUER_FINGERPRINT && sp.body.length >= 2) issuerFingerprint ??= sp.body.subarray(1);
    }
    if (issuerFingerprint && !issuerKeyId) {
      issuerKeyId = issuerFingerprint.length === 20 ? issuerFingerprint.subarray(12) : issuerFingerprint.subarray(0, 8);
    }
  } else {
    r.fail(`unsupported signature version ${version}`);
  }
  const left16 = r.bytes(2);
  if (version === 6) {
    const n = r.u8();
    const want = SALT_SIZE[hashAlgo];
    if (want !== undefined && n !== want) r.fail(`salt of ${n} bytes, ${hashAlgoName(hashAlgo)} needs ${want}`);
    salt = r.bytes(n);
  }
  const values: Uint8Array[] = [];
  switch (pubAlgo) {
    case 1: case 3:
      values.push(r.mpi());
      break;
    case 17: case 19: case 22:
      values.push(r.mpi(), r.mpi());
      break;
    case 27:
      values.push(r.bytes(64));
      break;
    case 28:
      values.push(r.bytes(114));
      break;
    default:
      values.push(r.rest()); // unknown algorithm: kept so the signature can be reported
  }
  if (r.remaining !== 0) r.fail(`${r.remaining} unexpected bytes after the signature values`);
  const algorithmName = `${pubkeyAlgoName(pubAlgo)}/${hashAlgoName(hashAlgo)}`;
  return { version, type, pubAlgo, hashAlgo, algorithmName, created, issuerKeyId, issuerFingerprint, subpackets, left16, salt, trailer, values, body };
}

/** Signature packets from binary or armored input (rpm stores one binary packet per tag). */
export function readSignatures(input: string | Uint8Array, opts: PgpErrorOptions = {}): PgpSignature[] {
  const blocks = packetBytes(input, (t) => dearmor(t, opts).map((b) => b.bytes));
  const sigs = blocks.flatMap((b) => readPackets(b, opts).filter((p) => p.tag === PACKET.SIGNATURE).map((p) => parseSignature(p.body, opts)));
  if (sigs.length === 0) pgpFail('signature', 'no signature packet found', opts);
  return sigs;
}
