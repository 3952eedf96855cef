// What `inspect` reads of one package beyond its metadata: every name it carries checked against
// the unpacker's path rules (./paths.ts), and the payload listed from the archive itself (names as
// archived, content digests against the header's). It reports what the unpacker would refuse
// instead of stopping at the first such name; a broken archive or codec still throws.
import { fileChunks } from '../util/file-chunks.js';
import { stat } from 'node:fs/promises';
import { RfsError } from '../errors/index.js';
import { FileFlag } from '../types/index.js';
import { ByteReader, concat, tapChunks } from '../util/bytes.js';
import { MultiHash, hashAvailable } from '../util/digest.js';
import { decompress, sniffCodec } from '../decompress/index.js';
import { CpioReader, type CpioHeader } from './cpio.js';
import { isSourceHeader, type RpmFile } from './meta.js';
import { chunks, openRpm, type OpenRpmOptions, type RpmPackage } from './package.js';
import { startRpmSignatureCheck, type SignatureReport } from './signature.js';
import { PGP_HASH, PayloadVerifier } from './verify.js';
import type { PgpPublicKey } from '../util/pgp/index.js';
import { declaredArchiveSize, hardlinkSets, payloadLimit, strippedSizes } from './payload.js';
import {
  PATH_MAX, archiveNameKey, archiveNameProblem, headerPathKey, headerPathProblem, symlinkTargetProblem, type PathSeverity,
} from './paths.js';

export interface PathFinding {
  where: 'header' | 'payload' | 'symlink' | 'hardlink';
  /** header file index; -1 for an archive entry that matches no header file */
  index: number;
  /** the name as the package gives it: escape it (untrusted()) before printing */
  name: string;
  /** 'unsafe': the unpacker refuses the package; 'odd': it copes, other extractors may not */
  severity: PathSeverity;
  reason: string;
}

export interface ArchiveMember {
  /** as archived; '' for rpm 6's stripped entries (they carry a header index instead) */
  name: string;
  /** header file index; -1 when the name matches none */
  index: number;
  size: number;
  /** hex digest of the content in the header's file digest algorithm; null when not a regular file with content */
  digest: string | null;
  /** digest equals the header's FILEDIGESTS entry; null when there is nothing to compare */
  digestOk: boolean | null;
}

export interface RpmInspection {
  pkg: RpmPackage;
  findings: PathFinding[];
  /** findings beyond MAX_FINDINGS, counted only */
  findingsDropped: number;
  /** archive members in archive order; null when read headerOnly */
  members: ArchiveMember[] | null;
  /** every signature in the signature header, checked against `keys` (none given: each is 'nokey') */
  signatures: SignatureReport;
}

export type InspectPackageOptions = Omit<OpenRpmOptions, 'deferPayloadCheck'> & {
  /** public keys the signatures are verified against */
  keys?: readonly PgpPublicKey[];
};

const MAX_FINDINGS = 1000;
const utf8 = new TextDecoder('utf-8');
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const TYPE_NAME: Record<number, string> = {
  0o140000: 'socket', 0o120000: 'symlink', 0o100000: 'file', 0o060000: 'block device', 0o040000: 'directory', 0o020000: 'char device', 0o010000: 'fifo',
};
const typeName = (mode: number): string => TYPE_NAME[mode & S_IFMT] ?? `type 0${((mode & S_IFMT) >>> 12).toString(8)}`;

class Findings {
  readonly list: PathFinding[] = [];
  dropped = 0;
  add(f: PathFinding): void {
    if (this.list.length < MAX_FINDINGS) this.list.push(f);
    else this.dropped++;
  }
}

/** A pipe or device can be read once: whole into memory (bounded), so it can be read twice. */
const PIPE_MAX_BYTES = 1 << 30;

async function rereadable(src: string | Uint8Array, subject: string): Promise<string | Uint8Array> {
  if (typeof src !== 'string') return src;
  const st = await stat(src).catch(() => null);
  if (!st || st.isFile() || st.isDirectory()) return src; // openRpm says what is wrong with it
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const c of fileChunks(src)) {
    n += c.length;
    if (n > PIPE_MAX_BYTES) {
      throw new RfsError('RFS_SIZE_LIMIT', `reading package from a pipe: more than ${PIPE_MAX_BYTES} bytes`, { subject, hint: 'save it to a file and inspect that' });
    }
    parts.push(c);
  }
  return concat(parts);
}

/**
 * Open a package (path or bytes) and check every name it carries; see RpmInspection. The raw
 * material of inspectRpm() (./report.ts), which is what `inspect --json` prints. The payload is
 * read once: its digests, the header+payload signatures and the archive listing share the pass.
 */
export async function inspectPackage(file: string | Uint8Array, options: InspectPackageOptions = {}): Promise<RpmInspection> {
  const { keys, ...opts } = options;
  const subject = opts.subject ?? (typeof file === 'string' ? file : '<rpm>');
  const src = await rereadable(file, subject);
  const pkg = await openRpm(src, { ...opts, subject: opts.subject ?? (typeof file === 'string' ? file : undefined), deferPayloadCheck: true });
  const findings = new Findings();
  headerFindings(pkg.meta.files, isSourceHeader(pkg.header), findings);
  // --header-only: a header+payload signature is not-checked, never hashed over a missing payload
  const sigs = startRpmSignatureCheck(pkg, keys ?? [], {
    ...(opts.subject !== undefined ? { subject: opts.subject } : typeof file === 'string' ? { subject: file } : {}), payload: !opts.headerOnly,
  });
  let members: ArchiveMember[] | null = null;
  if (!opts.headerOnly) {
    const pv = (opts.verify ?? true) ? new PayloadVerifier(pkg.signature, pkg.header, pkg.headerBytes, pkg.subject) : null;
    const payload = tappedPayload(src, pkg.payloadOffset, (c) => {
      pv?.updateCompressed(c);
      if (sigs.needsPayload) sigs.update(c);
    });
    try {
      members = await listArchive(pkg, payload.chunks, pv, subject, findings);
      await payload.drain(); // bytes after the compressed stream count for the digests too
    } catch (e) {
      // a corrupt payload is best reported by its digest, not by where the listing broke
      if (pv && (await payload.drain().then(() => true, () => false))) pv.finishCompressed();
      throw e;
    } finally {
      await payload.close();
    }
    if (pv) pkg.checks.push(...pv.finishCompressed(), ...pv.finishRaw());
  }
  return { pkg, findings: findings.list, findingsDropped: findings.dropped, members, signatures: sigs.finish() };
}

interface TappedPayload {
  /** the payload's bytes; stopping early does not close the file, drain() reads on */
  chunks: AsyncIterable<Uint8Array>;
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** The bytes after the main header, each handed to `tap` as it is read, once. */
function tappedPayload(src: string | Uint8Array, offset: number, tap: (c: Uint8Array) => void): TappedPayload {
  const source = chunks(src, offset);
  const it: AsyncIterator<Uint8Array> | Iterator<Uint8Array> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  let ended = false;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    if (ended) return { done: true, value: undefined };
    const r = await it.next();
    if (r.done) ended = true;
    else tap(r.value);
    return r;
  };
  return {
    chunks: { [Symbol.asyncIterator]: () => ({ next }) },
    async drain() {
      while (!(await next()).done);
    },
    async close() {
      if (!ended) await it.return?.();
    },
  };
}

function headerFindings(files: RpmFile[], source: boolean, out: Findings): void {
  const keys = new Map<string, number>();
  for (const f of files) {
    const p = headerPathProblem(f.path, { source });
    if (p) out.add({ where: 'header', index: f.index, name: f.path, ...p });
    if (!p || p.severity !== 'unsafe') {
      const k = headerPathKey(f.path);
      if (keys.has(k)) out.add({ where: 'header', index: f.index, name: f.path, severity: 'odd', reason: `listed twice in the header (also file ${keys.get(k)})` });
      else keys.set(k, f.index);
    }
    if ((f.mode & S_IFMT) === S_IFLNK) {
      const s = symlinkTargetProblem(f.path, f.linkTo);
      if (s) out.add({ where: 'symlink', index: f.index, name: `${f.path} -> ${f.linkTo}`, ...s });
    }
  }
  for (const set of new Set(hardlinkSets(files).values())) {
    const first = files[set[0]!]!;
    for (const i of set.slice(1)) {
      const f = files[i]!;
      if (f.size !== first.size || f.digest !== first.digest) {
        out.add({ where: 'hardlink', index: i, name: `${f.path} = ${first.path}`, severity: 'odd', reason: 'hard-linked files disagree on size or digest in the header' });
      }
    }
  }
}

async function listArchive(pkg: RpmPackage, payload: AsyncIterable<Uint8Array>, pv: PayloadVerifier | null, subject: string, out: Findings): Promise<ArchiveMember[]> {
  const files = pkg.meta.files;
  const input = new ByteReader(payload);
  try {
    const codec = sniffCodec(await input.peek(6));
    const { maxBytes } = payloadLimit(files, declaredArchiveSize(pkg.signature, pkg.header));
    const raw = decompress(input.rest(), codec, { maxBytes, subject });
    const rd = new ByteReader(pv?.wantsRaw ? tapChunks(raw, (c) => pv.updateRaw(c)) : raw);
    const links = hardlinkSets(files);
    const cpio = new CpioReader(rd, strippedSizes(files, links), subject);
    const byKey = new Map<string, number>();
    for (const f of files) if (headerPathProblem(f.path)?.severity !== 'unsafe') byKey.set(headerPathKey(f.path), f.index);
    const algo = PGP_HASH[pkg.meta.fileDigestAlgo] ?? '';
    const seen = new Uint8Array(files.length);
    const members: ArchiveMember[] = [];
    for (let e = await cpio.next(); e; e = await cpio.next()) {
      const index = e.stripped ? e.index : matchName(e, byKey, out);
      const file = index >= 0 ? files[index] : undefined;
      if (file) {
        // rpm skips archived %ghost entries, however often they come
        if (seen[index] && !(file.flags & FileFlag.GHOST)) out.add({ where: 'payload', index, name: e.name || file.path, severity: 'unsafe', reason: 'appears twice in the archive' });
        seen[index] = 1;
        checkEntry(e, file, links.has(index), out);
      }
      members.push(await member(e, file, cpio, hashAvailable(algo) ? algo : '', out));
    }
    for (const f of files) {
      // a header path already reported unsafe can match no archive name: said once is enough
      if (!seen[f.index] && !(f.flags & FileFlag.GHOST) && byKey.get(headerPathKey(f.path)) === f.index) {
        out.add({ where: 'payload', index: f.index, name: f.path, severity: 'unsafe', reason: 'in the header but missing from the archive' });
      }
    }
    for await (const _ of rd.rest()); // the whole stream, so a codec error after the trailer still shows
    return members;
  } finally {
    await input.close();
  }
}

function matchName(e: CpioHeader, byKey: Map<string, number>, out: Findings): number {
  const p = archiveNameProblem(e.name);
  if (p) out.add({ where: 'payload', index: -1, name: e.name, ...p });
  if (p?.severity === 'unsafe') return -1;
  const index = byKey.get(archiveNameKey(e.name));
  if (index === undefined) {
    out.add({ where: 'payload', index: -1, name: e.name, severity: 'unsafe', reason: "not in the header's file list" });
    return -1;
  }
  return index;
}

/** What the unpacker checks of a matched newc entry: same type, and for a regular file the header's size. */
function checkEntry(e: CpioHeader, file: RpmFile, linked: boolean, out: Findings): void {
  if (e.stripped || file.flags & FileFlag.GHOST) return;
  if ((e.mode & S_IFMT) !== (file.mode & S_IFMT)) {
    out.add({ where: 'payload', index: file.index, name: e.name, severity: 'odd', reason: `a ${typeName(e.mode)} in the archive, a ${typeName(file.mode)} in the header` });
  } else if ((file.mode & S_IFMT) === S_IFREG && e.size !== file.size && !(linked && e.size === 0)) {
    out.add({ where: 'payload', index: file.index, name: e.name, severity: 'unsafe', reason: `${e.size} bytes in the archive, ${file.size} in the header` });
  }
  if (e.nlink > 1 && !linked && (file.mode & S_IFMT) === S_IFREG) {
    out.add({ where: 'hardlink', index: file.index, name: e.name, severity: 'odd', reason: `archive says ${e.nlink} links, the header lists no hard-link set` });
  }
}

async function member(e: CpioHeader, file: RpmFile | undefined, cpio: CpioReader, algo: string, out: Findings): Promise<ArchiveMember> {
  if (file && (file.mode & S_IFMT) === S_IFLNK && (e.stripped || (e.mode & S_IFMT) === S_IFLNK) && e.size <= PATH_MAX) {
    // `rpm2cpio | cpio -i` would create the archive's target, rpm the header's
    const target = utf8.decode(await cpio.readAll(PATH_MAX));
    if (target !== file.linkTo) {
      out.add({ where: 'symlink', index: file.index, name: `${file.path} -> ${target}`, severity: 'odd', reason: `the archive's target differs from the header's (${file.linkTo})` });
    }
  }
  const regular = file !== undefined && (file.mode & S_IFMT) === S_IFREG && e.size > 0;
  if (!regular || !algo) {
    return { name: e.name, index: file?.index ?? -1, size: e.size, digest: null, digestOk: null };
  }
  const h = new MultiHash([algo]);
  for await (const c of cpio.content()) h.update(c);
  const digest = h.digest().get(algo) ?? null;
  return { name: e.name, index: file.index, size: e.size, digest, digestOk: file.digest ? digest === file.digest.toLowerCase() : null };
}
