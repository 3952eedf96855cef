// inspectRpm(): one package as data, exactly what `rootfs-assemble inspect --json` prints (the
// CLI prints this object). Names the unpacker refuses or finds odd come back escaped with
// untrusted(), safe to print; header strings (files[].path, summary, ...) are as packaged.
import { untrusted } from '../errors/index.js';
import type { Dep, PackageDeps } from '../types/index.js';
import { inspectPackage, type ArchiveMember, type PathFinding } from './inspect.js';
import type { PackageMeta, ScriptletKind, Trigger } from './meta.js';
import type { DigestCheck } from './verify.js';
import type { RpmSignatureCheck, RpmSignatureKey, RpmSignatureTag } from './signature.js';
import { fingerprintHex, keyLabel, loadKeyFile, type LoadKeyOptions } from '../util/pgp/index.js';

/** How inspectRpm() reads the package: the `inspect` command's options. */
export interface InspectOptions {
  /** check the header and payload digests (default true; false is `inspect --no-verify`) */
  verify?: boolean;
  /** read the lead and headers only (`--header-only`): `payload` is null and the payload may be absent */
  headerOnly?: boolean;
  /** names the package in errors (default: the path; `'<rpm>'` for bytes) */
  subject?: string;
  /**
   * armored public key files the signatures are checked against (paths, file:// or https URLs, as
   * the build reads --gpgkey), each named in the report by keyLabel(); `inspect` passes those in
   * repos/keys/ and --gpgkey. None: every signature is 'unknown-key'.
   */
  gpgkeys?: readonly string[];
  /** fetches an https key; without it such a key is refused */
  fetchKey?: LoadKeyOptions['fetchBytes'];
}

/** What became of one signature: rpm -K's OK / BAD / NOKEY, and why it could not be checked. */
export type SignatureVerdict = 'verified' | 'bad' | 'unknown-key' | 'unsupported' | 'malformed' | 'not-checked';

/** One signature of the signature header, as `rpm -Kv` reads it. */
export interface ReportSignature {
  tag: RpmSignatureTag;
  covers: 'header' | 'header+payload';
  /** OpenPGP signature version (3, 4, 6); null when unreadable */
  version: number | null;
  /** public key algorithm, e.g. 'RSA', 'DSA', 'EdDSA', 'ECDSA' */
  algorithm: string;
  /** e.g. 'SHA256' */
  hash: string;
  /** issuer key id, 16 hex digits ('' when the signature names none) */
  keyId: string;
  issuerFingerprint: string | null;
  created: number | null;
  verdict: SignatureVerdict;
  /** why it is not verified ('' when it is) */
  reason: string;
  /** the key that verified it (or found it BAD), and its file */
  key: (RpmSignatureKey & { file: string | null }) | null;
}

export interface ReportFile {
  path: string;
  mode: number;
  size: number;
  user: string;
  group: string;
  /** hex, in the header's file digest algorithm (`fileDigestAlgo`); '' for none */
  digest: string;
  linkTo: string;
  /** RPMFILE_* bits (FileFlag) */
  flags: number;
  mtime: number;
  /** file capabilities in cap_to_text form, when set */
  caps?: string;
  /** device number of a char/block device, when set */
  rdev?: number;
}

export interface ReportScriptlet { kind: ScriptletKind; prog: string[]; flags: number; bytes: number }
export interface ReportTrigger { kind: Trigger['kind']; prog: string[]; conditions: Dep[] }

/** A name the unpacker refuses ('unsafe') or copes with ('odd'); `name` is escaped with untrusted(). */
export type ReportWarning = PathFinding;

/** `inspect --json`'s document. */
export interface RpmReport extends Pick<PackageMeta,
  'name' | 'epoch' | 'version' | 'release' | 'arch' | 'summary' | 'license' | 'vendor' | 'group' | 'url' | 'buildtime' |
  'buildhost' | 'sourcerpm' | 'size' | 'rpmVersion' | 'formatVersion' | 'payloadCompressor' | 'payloadFormat' | 'fileDigestAlgo'>, PackageDeps {
  files: ReportFile[];
  scriptlets: ReportScriptlet[];
  triggers: ReportTrigger[];
  /** digest checks that ran and passed (empty with verify: false) */
  checks: DigestCheck[];
  warnings: ReportWarning[];
  /** warnings beyond the first 1000, counted only */
  warningsNotShown: number;
  /** archive members in archive order (names escaped); null with headerOnly */
  payload: ArchiveMember[] | null;
  /** the signature header's signatures, checked against `keys` */
  signatures: ReportSignature[];
}

const VERDICT: Record<RpmSignatureCheck['status'], SignatureVerdict> = {
  ok: 'verified', bad: 'bad', nokey: 'unknown-key', unsupported: 'unsupported', malformed: 'malformed', skipped: 'not-checked',
};

function signature(s: RpmSignatureCheck, fileOf: ReadonlyMap<string, string>): ReportSignature {
  const slash = s.algorithm.indexOf('/');
  return {
    tag: s.tagName, covers: s.covers, version: s.version,
    algorithm: slash < 0 ? s.algorithm : s.algorithm.slice(0, slash), hash: slash < 0 ? '' : s.algorithm.slice(slash + 1),
    keyId: s.keyId, issuerFingerprint: s.issuerFingerprint, created: s.created, verdict: VERDICT[s.status], reason: s.reason,
    key: s.key ? { ...s.key, file: fileOf.get(s.key.primaryFingerprint) ?? null } : null,
  };
}

/** The longest name shown in a warning or payload entry before it is cut. */
const NAME_MAX_SHOWN = 300;
const show = (name: string): string => untrusted(name, NAME_MAX_SHOWN);
const dep = (d: Dep): Dep => ({ name: d.name, flags: d.flags, version: d.version });

/**
 * Read an RPM (a path, or its bytes) as `rootfs-assemble inspect --json` does: metadata,
 * dependencies, files, scriptlets, digest checks, the archive listing with content digests
 * checked, a warning for every name the unpacker would refuse or that is odd, and each
 * signature with its verdict against `keys`. Throws
 * RfsError (RFS_RPM_*, RFS_UNSAFE_PATH ...) when the package cannot be read at all.
 */
export async function inspectRpm(file: string | Uint8Array, opts: InspectOptions = {}): Promise<RpmReport> {
  const { gpgkeys, fetchKey, ...rest } = opts;
  const keys = await Promise.all((gpgkeys ?? []).map((k) => loadKeyFile(k, fetchKey ? { fetchBytes: fetchKey } : {})));
  const ins = await inspectPackage(file, { ...rest, keys: keys.flatMap((k) => k.certs) });
  const fileOf = new Map<string, string>();
  for (const k of keys) for (const c of k.certs) if (!fileOf.has(fingerprintHex(c.primary))) fileOf.set(fingerprintHex(c.primary), keyLabel(k.name));
  const { pkg } = ins;
  const m = pkg.meta;
  return {
    name: m.name,
    epoch: m.epoch,
    version: m.version,
    release: m.release,
    arch: m.arch,
    summary: m.summary,
    license: m.license,
    vendor: m.vendor,
    group: m.group,
    url: m.url,
    buildtime: m.buildtime,
    buildhost: m.buildhost,
    sourcerpm: m.sourcerpm,
    size: m.size,
    rpmVersion: m.rpmVersion,
    formatVersion: m.formatVersion,
    payloadCompressor: m.payloadCompressor,
    payloadFormat: m.payloadFormat,
    fileDigestAlgo: m.fileDigestAlgo,
    requires: m.requires.map(dep),
    provides: m.provides.map(dep),
    conflicts: m.conflicts.map(dep),
    obsoletes: m.obsoletes.map(dep),
    recommends: m.recommends.map(dep),
    suggests: m.suggests.map(dep),
    supplements: m.supplements.map(dep),
    enhances: m.enhances.map(dep),
    files: m.files.map((f) => ({
      path: f.path, mode: f.mode, size: f.size, user: f.user, group: f.group, digest: f.digest,
      linkTo: f.linkTo, flags: f.flags, mtime: f.mtime, ...(f.caps ? { caps: f.caps } : {}), ...(f.rdev ? { rdev: f.rdev } : {}),
    })),
    scriptlets: m.scriptlets.map((s) => ({ kind: s.kind, prog: s.prog, flags: s.flags, bytes: s.body.length })),
    triggers: m.triggers.map((t) => ({ kind: t.kind, prog: t.prog, conditions: t.conditions.map(dep) })),
    checks: pkg.checks,
    warnings: ins.findings.map((f) => ({ where: f.where, index: f.index, name: show(f.name), severity: f.severity, reason: f.reason })),
    warningsNotShown: ins.findingsDropped,
    payload: ins.members?.map((p) => ({ name: show(p.name), index: p.index, size: p.size, digest: p.digest, digestOk: p.digestOk })) ?? null,
    signatures: ins.signatures.signatures.map((s) => signature(s, fileOf)),
  };
}
