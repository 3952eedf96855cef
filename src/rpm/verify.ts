// Package digests: header-only ones (SHA256/SHA1/SHA3-256 of the header region) and the
// ones over the payload (MD5 + SIZE of header+payload, PAYLOADDIGEST of the compressed
// payload, PAYLOADDIGESTALT of the cpio archive).
import { RfsError } from '../errors/index.js';
import { MultiHash, hashAvailable, hashHex } from '../util/digest.js';
import { toHex } from '../util/bytes.js';
import type { Header } from './header.js';
import { SIGTAG, TAG } from './tags.js';

export interface DigestCheck {
  name: 'sha256header' | 'sha1header' | 'sha3-256header' | 'md5' | 'payloadsha256' | 'payloadsha256alt' | 'size';
  ok: boolean;
}

/** rpm's digest algorithm numbers (PGPHASHALGO_*) as node:crypto names */
export const PGP_HASH: Readonly<Record<number, string>> = { 1: 'md5', 2: 'sha1', 8: 'sha256', 9: 'sha384', 10: 'sha512', 11: 'sha224', 12: 'sha3-256' };

function mismatch(what: string, subject: string, expected: string, actual: string): never {
  throw new RfsError('RFS_RPM_DIGEST_MISMATCH', `verifying package: ${what} digest mismatch`, {
    subject,
    hint: 'the package is corrupt or was modified; download it again',
    details: { check: what, expected, actual },
  });
}

/** Check the digests that cover only the main header; throws on mismatch. */
export function headerChecks(sig: Header, h: Header, subject: string): DigestCheck[] {
  const out: DigestCheck[] = [];
  const image = h.regionImage();
  const pairs: [DigestCheck['name'], number, string][] = [
    ['sha256header', SIGTAG.SHA256, 'sha256'],
    ['sha1header', SIGTAG.SHA1, 'sha1'],
    ['sha3-256header', SIGTAG.SHA3_256, 'sha3-256'],
  ];
  for (const [name, tag, algo] of pairs) {
    const want = sig.string(tag);
    if (want === undefined || !hashAvailable(algo)) continue;
    const got = hashHex(algo, image);
    if (got !== want.toLowerCase()) mismatch(name, subject, want, got);
    out.push({ name, ok: true });
  }
  return out;
}

/** Digests over the payload, fed while it streams by. */
export class PayloadVerifier {
  private readonly whole: MultiHash; // header (with magic) + compressed payload
  private readonly compressed: MultiHash;
  private readonly raw: MultiHash;
  private readonly md5: string | undefined;
  private readonly size: number | undefined;
  private readonly payloadAlgo: string;
  private readonly payloadDigest: string | undefined;
  private readonly altDigest: string | undefined;

  constructor(sig: Header, h: Header, headerBytes: Uint8Array, private readonly subject: string) {
    this.payloadAlgo = PGP_HASH[h.number(TAG.PAYLOADDIGESTALGO) ?? 8] ?? 'sha256';
    const pd = h.strings(TAG.PAYLOADDIGEST)[0];
    this.payloadDigest = pd && hashAvailable(this.payloadAlgo) ? pd : undefined;
    // The strongest payload digest is enough: with PAYLOADDIGEST (of the compressed bytes,
    // the header being covered by its own SHA256) the MD5 of header+payload and the digest
    // of the uncompressed archive (PAYLOADDIGESTALT) add nothing but hashing time.
    const md5 = sig.bin(SIGTAG.MD5);
    this.md5 = !this.payloadDigest && md5 && md5.length === 16 ? toHex(md5) : undefined;
    const alt = h.strings(TAG.PAYLOADDIGESTALT)[0];
    this.altDigest = !this.payloadDigest && !this.md5 && alt && hashAvailable(this.payloadAlgo) ? alt : undefined;
    this.size = sig.number(SIGTAG.LONGSIZE) ?? sig.number(SIGTAG.SIZE);
    this.whole = new MultiHash(this.md5 ? ['md5'] : []);
    this.whole.update(headerBytes);
    this.compressed = new MultiHash(this.payloadDigest ? [this.payloadAlgo] : []);
    this.raw = new MultiHash(this.altDigest ? [this.payloadAlgo] : []);
  }

  /** true when some digest covers the compressed payload (MD5 of header+payload or PAYLOADDIGEST) */
  get coversPayload(): boolean {
    return Boolean(this.md5) || !this.compressed.empty;
  }

  /** true when the uncompressed archive must be hashed too */
  get wantsRaw(): boolean {
    return !this.raw.empty;
  }

  updateCompressed(chunk: Uint8Array): void {
    this.whole.update(chunk);
    this.compressed.update(chunk);
  }

  updateRaw(chunk: Uint8Array): void {
    this.raw.update(chunk);
  }

  /** Checks over header+compressed payload; throws on mismatch. */
  finishCompressed(): DigestCheck[] {
    const out: DigestCheck[] = [];
    if (this.size !== undefined) {
      if (this.size !== this.whole.bytes) mismatch('size', this.subject, String(this.size), String(this.whole.bytes));
      out.push({ name: 'size', ok: true });
    }
    const md5 = this.whole.digest().get('md5');
    if (this.md5 && md5) {
      if (md5 !== this.md5) mismatch('md5', this.subject, this.md5, md5);
      out.push({ name: 'md5', ok: true });
    }
    const pd = this.compressed.digest().get(this.payloadAlgo);
    if (this.payloadDigest && pd) {
      if (pd !== this.payloadDigest.toLowerCase()) mismatch('payloadsha256', this.subject, this.payloadDigest, pd);
      out.push({ name: 'payloadsha256', ok: true });
    }
    return out;
  }

  finishRaw(): DigestCheck[] {
    const got = this.raw.digest().get(this.payloadAlgo);
    if (!this.altDigest || !got) return [];
    if (got !== this.altDigest.toLowerCase()) mismatch('payloadsha256alt', this.subject, this.altDigest, got);
    return [{ name: 'payloadsha256alt', ok: true }];
  }
}
