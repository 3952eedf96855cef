// OpenPGP signatures of an rpm package, verified against given public keys, the way `rpm -K`
// reads them: RSAHEADER/DSAHEADER (and rpm 6's OPENPGP) cover the main header; the legacy PGP
// and GPG tags cover main header + payload (what CentOS 3/4/5 packages carry as V3 DSA).
import { fileChunks } from '../util/file-chunks.js';
import { RfsError } from '../errors/index.js';
import {
  SignatureVerifier, findSigningKey, fingerprintHex, isSubkeyBound, keyIdHex, parseSignature, readPackets,
  type PgpPublicKey, type PgpSignature,
} from '../util/pgp/index.js';
import type { Header } from './header.js';
import type { PackageMeta } from './meta.js';
import { openRpm } from './package.js';
import { SIGTAG, TYPE } from './tags.js';

export type RpmSignatureTag = 'RSAHEADER' | 'DSAHEADER' | 'PGP' | 'GPG' | 'OPENPGP';
export type RpmSignatureStatus = 'ok' | 'bad' | 'nokey' | 'unsupported' | 'malformed' | 'skipped';

export interface RpmSignatureKey {
  /** the signing (sub)key */
  keyId: string;
  fingerprint: string;
  /** the certificate's primary key and first user id */
  primaryFingerprint: string;
  userId: string | null;
}

export interface RpmSignatureCheck {
  tag: number;
  tagName: RpmSignatureTag;
  covers: 'header' | 'header+payload';
  /** OpenPGP signature version (3, 4, 6), null when unreadable */
  version: number | null;
  /** e.g. 'DSA/SHA1', 'RSA/SHA256', 'EdDSA/SHA512' */
  algorithm: string;
  /** issuer key id, 16 hex digits ('' when the signature names none) */
  keyId: string;
  issuerFingerprint: string | null;
  created: number | null;
  key: RpmSignatureKey | null;
  status: RpmSignatureStatus;
  /** why it is not ok ('' when ok) */
  reason: string;
}

export interface SignatureReport {
  subject: string;
  signatures: RpmSignatureCheck[];
  /** at least one signature verified with a known key and none is bad */
  verified: boolean;
  /** keys that verified a signature */
  keysUsed: RpmSignatureKey[];
}

/** What verification needs of a package; an RpmPackage fits. */
export interface RpmSignatureSource {
  signature: Header;
  headerBytes: Uint8Array;
  payloadOffset?: number;
  /** names the package (NEVRA) in the report when no subject or file path is given */
  meta?: Pick<PackageMeta, 'name' | 'version' | 'release' | 'arch'>;
}

export interface VerifyRpmOptions {
  /** names the package in the report and errors */
  subject?: string;
  /** the whole package (path or bytes), read from payloadOffset for header+payload signatures */
  file?: string | Uint8Array;
}

const TAGS: [number, RpmSignatureTag, 'header' | 'header+payload'][] = [
  [SIGTAG.RSA, 'RSAHEADER', 'header'],
  [SIGTAG.DSA, 'DSAHEADER', 'header'],
  [SIGTAG.OPENPGP, 'OPENPGP', 'header'],
  [SIGTAG.PGP, 'PGP', 'header+payload'],
  [SIGTAG.GPG, 'GPG', 'header+payload'],
];

interface Pending {
  check: RpmSignatureCheck;
  verifier: SignatureVerifier;
  key: RpmSignatureKey;
}

function sigPackets(h: Header, tag: number): Uint8Array[] {
  if (h.type(tag) === TYPE.BIN) return [h.bin(tag)!];
  return h.strings(tag).map((s) => new Uint8Array(Buffer.from(s, 'base64')));
}

/** A check in progress: feed the payload (the file bytes after the main header), then finish. */
export interface RpmSignatureRun {
  /** some header+payload signature has a known key and waits for the payload */
  readonly needsPayload: boolean;
  update(payloadChunk: Uint8Array): void;
  finish(): SignatureReport;
}

/**
 * Start checking a package's signatures, so the payload can be hashed while it streams by
 * (download, unpack). With payload false, header+payload signatures are reported 'skipped'.
 */
export function startRpmSignatureCheck(
  pkg: RpmSignatureSource,
  keys: readonly PgpPublicKey[],
  opts: { subject?: string; payload: boolean },
): RpmSignatureRun {
  const meta = pkg.meta;
  const subject = opts.subject ?? (meta ? `${meta.name}-${meta.version}-${meta.release}.${meta.arch}` : '<rpm>');
  const checks: RpmSignatureCheck[] = [];
  const pending: Pending[] = [];
  for (const [tag, tagName, covers] of TAGS) {
    if (!pkg.signature.has(tag)) continue;
    for (const raw of sigPackets(pkg.signature, tag)) {
      const check: RpmSignatureCheck = {
        tag, tagName, covers, version: null, algorithm: '', keyId: '', issuerFingerprint: null, created: null, key: null, status: 'malformed', reason: '',
      };
      checks.push(check);
      let sig: PgpSignature;
      try {
        const packets = readPackets(raw, { subject });
        if (packets.length !== 1 || packets[0]!.tag !== 2) throw new Error(`expected one signature packet, found ${packets.map((p) => `type ${p.tag}`).join(', ') || 'none'}`);
        sig = parseSignature(packets[0]!.body, { subject });
      } catch (e) {
        check.reason = e instanceof Error ? e.message : String(e);
        continue;
      }
      Object.assign(check, {
        version: sig.version, algorithm: sig.algorithmName, created: sig.created,
        keyId: sig.issuerKeyId ? Buffer.from(sig.issuerKeyId).toString('hex') : '',
        issuerFingerprint: sig.issuerFingerprint ? Buffer.from(sig.issuerFingerprint).toString('hex') : null,
      });
      if (sig.type !== 0x00) {
        Object.assign(check, { status: 'bad', reason: `signature type 0x${sig.type.toString(16)} is not a binary document signature` });
        continue;
      }
      const matching = findSigningKey(keys, { keyId: sig.issuerKeyId, fingerprint: sig.issuerFingerprint });
      const found = matching.filter(({ cert, key }) => isSubkeyBound(cert, key));
      if (found.length === 0) {
        const reason = matching.length > 0
          ? `subkey ${check.keyId} has no valid binding signature from its primary key`
          : `no key with id ${check.keyId || '(none given)'}`;
        Object.assign(check, { status: 'nokey', reason });
        continue;
      }
      if (covers === 'header+payload' && !opts.payload) {
        Object.assign(check, { status: 'skipped', reason: 'the package file was not given, so the payload cannot be read' });
        continue;
      }
      // a key id may match more than one key (collisions): the first that verifies wins
      for (const { cert, key } of found) {
        const k: RpmSignatureKey = { keyId: keyIdHex(key), fingerprint: fingerprintHex(key), primaryFingerprint: fingerprintHex(cert.primary), userId: cert.userId };
        pending.push({ check, verifier: new SignatureVerifier(sig, key).update(pkg.headerBytes), key: k });
      }
    }
  }
  const withPayload = pending.filter((p) => p.check.covers === 'header+payload');
  let finished = false;
  return {
    needsPayload: withPayload.length > 0,
    update(chunk) {
      for (const p of withPayload) p.verifier.update(chunk);
    },
    finish() {
      if (finished) throw new RfsError('RFS_INTERNAL', 'checking package signatures: finish() called twice', { subject });
      finished = true;
      for (const p of pending) {
        if (p.check.status === 'ok') continue;
        const r = p.verifier.finish();
        if (r.status === 'ok' || p.check.key === null) Object.assign(p.check, { status: r.status, reason: r.reason, key: p.key });
      }
      const keysUsed: RpmSignatureKey[] = [];
      for (const c of checks) {
        if (c.status === 'ok' && c.key && !keysUsed.some((k) => k.fingerprint === c.key!.fingerprint)) keysUsed.push(c.key);
      }
      const verified = keysUsed.length > 0 && !checks.some((c) => c.status === 'bad');
      return { subject, signatures: checks, verified, keysUsed };
    },
  };
}

/** Check a package file (path or bytes) or an opened package, reading the payload when needed. */
export async function verifyRpmSignatures(
  src: string | Uint8Array | RpmSignatureSource,
  keys: readonly PgpPublicKey[],
  opts: VerifyRpmOptions = {},
): Promise<SignatureReport> {
  let pkg: RpmSignatureSource;
  let file = opts.file;
  if (typeof src === 'string' || src instanceof Uint8Array) {
    pkg = await openRpm(src, { verify: false, headerOnly: true, subject: opts.subject });
    file ??= src;
  } else pkg = src;
  const offset = pkg.payloadOffset;
  const run = startRpmSignatureCheck(pkg, keys, {
    subject: opts.subject ?? (typeof file === 'string' ? file : undefined),
    payload: file !== undefined && offset !== undefined,
  });
  if (run.needsPayload && file !== undefined && offset !== undefined) {
    if (typeof file === 'string') {
      for await (const c of fileChunks(file, offset)) run.update(c);
    } else run.update(file.subarray(offset));
  }
  return run.finish();
}

/**
 * Enforce a report: a bad signature always throws; with require (gpgcheck on) a package must
 * also have a signature that verifies with a known key. Returns the keys used.
 */
export function checkGpg(report: SignatureReport, opts: { require?: boolean; keyFiles?: readonly string[] } = {}): RpmSignatureKey[] {
  const require = opts.require ?? true;
  const files = opts.keyFiles?.length ? opts.keyFiles.join(', ') : 'none';
  const bad = report.signatures.find((c) => c.status === 'bad');
  if (bad) {
    throw new RfsError('RFS_RPM_SIGNATURE', `verifying package signature: ${bad.tagName} ${bad.algorithm} signature${bad.key ? ` from key ${bad.key.keyId} (${bad.key.userId ?? 'no user id'})` : ''} is BAD: ${bad.reason}`, {
      subject: report.subject,
      hint: 'the package was modified after signing or is corrupt: download it again from a trusted mirror',
      details: report,
    });
  }
  if (!require || report.verified) return report.keysUsed;
  const missing = [...new Set(report.signatures.filter((c) => c.status === 'nokey').map((c) => c.keyId))];
  let reason: string;
  let hint: string;
  if (report.signatures.length === 0) {
    reason = 'the package is not signed';
    hint = 'disable gpgcheck for this repository to accept unsigned packages';
  } else if (missing.length > 0) {
    reason = `signed with key ${missing.join(', ')}, which is not among the known keys`;
    hint = `add the public key with id ${missing.join(', ')} to the definition's gpgkey list (key files given: ${files})`;
  } else {
    const why = report.signatures.map((c) => `${c.tagName}: ${c.status}${c.reason ? ` (${c.reason})` : ''}`).join('; ');
    reason = `no signature could be verified: ${why}`;
    hint = `key files given: ${files}`;
  }
  throw new RfsError('RFS_RPM_SIGNATURE', `verifying package signature: ${reason}`, { subject: report.subject, hint, details: report });
}
