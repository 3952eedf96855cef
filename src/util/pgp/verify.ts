// Signature verification with node:crypto. The digest is computed once here (it is needed for the
// left-16 quick check, RSA's DigestInfo and EdDSA, which signs the digest). Node cannot verify
// DSA or ECDSA from a digest, so their data also streams through crypto.createVerify; for DSA
// only up to DSA_NATIVE_LIMIT bytes (headers, small packages: native is 5x faster than BigInt),
// beyond which hashing twice costs more than checking the digest with BigInt (dsa.ts).
import { constants, createHash, createVerify, publicDecrypt, verify as edVerify, type Hash, type Verify } from 'node:crypto';
import { HASH_ALGO, hashAlgoName, pubkeyAlgoName } from './algorithms.js';
import type { PgpKey, PgpPublicKey } from './keys.js';
import { be32 } from './reader.js';
import type { PgpSignature } from './signature.js';
import { dsaVerify, toBig } from './dsa.js';

export type VerifyStatus = 'ok' | 'bad' | 'unsupported';
export interface VerifyResult {
  status: VerifyStatus;
  /** why it is bad or unsupported; '' when ok */
  reason: string;
}

/** DSA data up to this size is verified natively (hashed twice), larger data with BigInt */
export const DSA_NATIVE_LIMIT = 1 << 20;

const SAME_FAMILY: Record<number, number> = { 1: 1, 2: 1, 3: 1, 17: 17, 19: 19, 22: 22, 27: 27, 28: 28 };

function leftPad(b: Uint8Array, n: number): Uint8Array {
  if (b.length >= n) return b.subarray(b.length - n);
  const out = new Uint8Array(n);
  out.set(b, n - b.length);
  return out;
}

/** Incremental verification: feed the signed data with update(), then call finish(). */
export class SignatureVerifier {
  private readonly hash: Hash | null = null;
  private stream: Verify | null = null;
  private streamed = 0;
  private readonly problem: string;

  constructor(
    readonly sig: PgpSignature,
    readonly key: PgpKey,
  ) {
    const h = HASH_ALGO[sig.hashAlgo];
    if (!h) this.problem = `unsupported hash algorithm ${hashAlgoName(sig.hashAlgo)}`;
    else if (SAME_FAMILY[sig.pubAlgo] === undefined) this.problem = `unsupported signature algorithm ${pubkeyAlgoName(sig.pubAlgo)}`;
    else if (SAME_FAMILY[sig.pubAlgo] !== SAME_FAMILY[key.algorithm]) this.problem = `a ${pubkeyAlgoName(sig.pubAlgo)} signature cannot come from a ${key.algorithmName} key`;
    else if (!key.keyObject) this.problem = `the ${key.algorithmName}${key.curve ? ` (${key.curve})` : ''} key cannot be used with node:crypto`;
    else this.problem = '';
    if (this.problem || !h) return;
    this.hash = createHash(h[1]);
    if (sig.pubAlgo === 17 || sig.pubAlgo === 19) this.stream = createVerify(h[1]);
    if (sig.salt.length) this.update(sig.salt);
  }

  update(chunk: Uint8Array): this {
    this.hash?.update(chunk);
    if (this.stream) {
      this.streamed += chunk.length;
      if (this.sig.pubAlgo === 17 && this.streamed > DSA_NATIVE_LIMIT) this.stream = null; // BigInt from here
      else this.stream.update(chunk);
    }
    return this;
  }

  /** how DSA will be checked: natively or with BigInt (for tests and benchmarks) */
  get dsaMethod(): 'native' | 'bigint' | null {
    return this.sig.pubAlgo !== 17 || this.problem ? null : this.stream ? 'native' : 'bigint';
  }

  finish(): VerifyResult {
    if (this.problem || !this.hash) return { status: 'unsupported', reason: this.problem };
    const { sig, key } = this;
    this.update(sig.trailer);
    const digest = new Uint8Array(this.hash.digest());
    if (digest[0] !== sig.left16[0] || digest[1] !== sig.left16[1]) {
      return { status: 'bad', reason: 'digest does not match the signature (left 16 bits differ)' };
    }
    const ko = key.keyObject!;
    try {
      let ok: boolean;
      switch (SAME_FAMILY[sig.pubAlgo]) {
        case 1: {
          const size = (key.bits + 7) >> 3;
          const em = publicDecrypt({ key: ko, padding: constants.RSA_PKCS1_PADDING }, leftPad(sig.values[0]!, size));
          const want = Buffer.concat([Buffer.from(HASH_ALGO[sig.hashAlgo]![2], 'hex'), digest]);
          ok = em.equals(want);
          break;
        }
        case 17:
          if (this.stream) {
            const rs = Buffer.concat([leftPad(sig.values[0]!, key.qBytes), leftPad(sig.values[1]!, key.qBytes)]);
            ok = this.stream.verify({ key: ko, dsaEncoding: 'ieee-p1363' }, rs);
          } else ok = key.dsa !== null && dsaVerify(key.dsa, digest, toBig(sig.values[0]!), toBig(sig.values[1]!));
          break;
        case 19: {
          const n = Math.ceil(key.bits / 8);
          const rs = Buffer.concat([leftPad(sig.values[0]!, n), leftPad(sig.values[1]!, n)]);
          ok = this.stream!.verify({ key: ko, dsaEncoding: 'ieee-p1363' }, rs);
          break;
        }
        case 22: {
          const n = key.curve === 'Ed448' ? 57 : 32;
          ok = edVerify(null, digest, ko, Buffer.concat([leftPad(sig.values[0]!, n), leftPad(sig.values[1]!, n)]));
          break;
        }
        default:
          ok = edVerify(null, digest, ko, sig.values[0]!);
      }
      return ok ? { status: 'ok', reason: '' } : { status: 'bad', reason: 'signature does not verify' };
    } catch (e) {
      // node/OpenSSL refuses malformed values (e.g. an RSA block that does not decode): a bad signature
      return { status: 'bad', reason: `signature does not verify (${(e as Error).message})` };
    }
  }
}

/** Verify a signature over data given whole or in chunks. */
export function verifySignature(sig: PgpSignature, key: PgpKey, data: Uint8Array | Iterable<Uint8Array>): VerifyResult {
  const v = new SignatureVerifier(sig, key);
  if (data instanceof Uint8Array) v.update(data);
  else for (const c of data) v.update(c);
  return v.finish();
}

/** What a certification hashes for a key: v3/v4 0x99 ‖ 2-byte length, v5 0x9A / v6 0x9B ‖ 4-byte length. */
function keyPrefix(k: PgpKey): Uint8Array[] {
  const b = k.body;
  if (k.version >= 5) return [Uint8Array.of(k.version === 6 ? 0x9b : 0x9a), be32(b.length), b];
  return [Uint8Array.of(0x99, b.length >> 8, b.length & 0xff), b];
}

const boundCache = new WeakMap<PgpKey, boolean>();

/**
 * Whether a subkey carries a valid binding signature (type 0x18) from its primary key and no valid
 * revocation (0x28). A subkey without a binding may have been appended by anyone (CVE-2021-3521).
 */
export function isSubkeyBound(cert: PgpPublicKey, subkey: PgpKey): boolean {
  if (subkey === cert.primary) return true;
  const cached = boundCache.get(subkey);
  if (cached !== undefined) return cached;
  const sk = cert.subkeys.find((s) => s === subkey);
  const p = cert.primary;
  const byPrimary = (type: number): boolean =>
    !!sk && sk.bindings.some((b) =>
      b.type === type &&
      (b.issuerFingerprint ? Buffer.from(b.issuerFingerprint).equals(p.fingerprint) : !b.issuerKeyId || Buffer.from(b.issuerKeyId).equals(p.keyId)) &&
      verifySignature(b, p, [...keyPrefix(p), ...keyPrefix(sk)]).status === 'ok');
  const ok = byPrimary(0x18) && !byPrimary(0x28);
  boundCache.set(subkey, ok);
  return ok;
}

export interface SelfSignatureCheck {
  what: string;
  result: VerifyResult;
}

/** Verify the self-signatures of a certificate (user id certifications and subkey bindings by the primary key). */
export function checkSelfSignatures(cert: PgpPublicKey): SelfSignatureCheck[] {
  const out: SelfSignatureCheck[] = [];
  const p = cert.primary;
  const own = (s: PgpSignature): boolean =>
    s.issuerFingerprint ? Buffer.from(s.issuerFingerprint).equals(p.fingerprint) : !s.issuerKeyId || Buffer.from(s.issuerKeyId).equals(p.keyId);
  for (const u of cert.userIds) {
    for (const s of u.certifications.filter(own)) {
      const uid = s.version >= 4 ? [Uint8Array.of(0xb4), be32(u.raw.length), u.raw] : [u.raw];
      out.push({ what: `user id "${u.id}"`, result: verifySignature(s, p, [...keyPrefix(p), ...uid]) });
    }
  }
  for (const sk of cert.subkeys) {
    for (const s of sk.bindings.filter((b) => b.type === 0x18 && own(b))) {
      out.push({ what: `subkey ${Buffer.from(sk.keyId).toString('hex')}`, result: verifySignature(s, p, [...keyPrefix(p), ...keyPrefix(sk)]) });
    }
  }
  for (const s of cert.directSignatures.filter((d) => d.type === 0x1f && own(d))) {
    out.push({ what: 'direct key signature', result: verifySignature(s, p, keyPrefix(p)) });
  }
  return out;
}
