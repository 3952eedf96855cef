// Payload entries: cpio members mapped to header file indexes (as rpmfiArchiveReadNext
// does), hard-link sets, %ghost skipping, and path safety. The header's metadata is
// authoritative; the archive only supplies content.
import { RfsError, untrusted } from '../errors/index.js';
import { FileFlag } from '../types/index.js';
import { ByteReader, tapChunks } from '../util/bytes.js';
import { decompress, outputLimit, sniffCodec, type Codec } from '../decompress/index.js';
import type { Header } from './header.js';
import { SIGTAG, TAG } from './tags.js';
import { CpioReader } from './cpio.js';
import type { RpmFile } from './meta.js';
import { archiveNameKey, archiveNameProblem, headerPathKey, headerPathProblem, symlinkEscapesRoot } from './paths.js';

export { symlinkEscapesRoot };

export interface PayloadEntry {
  file: RpmFile;
  /** header indexes of all members of this file's hard-link set (data comes with the last); null if none */
  hardlinkSet: number[] | null;
  content: AsyncIterable<Uint8Array>;
  size: number;
  /** a relative symlink whose target climbs above the image root (reported, never followed) */
  linkEscapes: boolean;
}

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;

function unsafe(msg: string, subject: string): never {
  throw new RfsError('RFS_UNSAFE_PATH', `reading payload: ${msg}`, { subject, hint: 'the package is hostile or corrupt' });
}

/** Archive name -> header-relative key ('./usr/bin/x', 'usr/bin/x' -> 'usr/bin/x'); unsafe names (src/rpm/paths.ts) throw. */
export function archiveKey(name: string, subject: string): string {
  const p = archiveNameProblem(name);
  if (p?.severity === 'unsafe') unsafe(`archive name ${untrusted(name)}: ${p.reason}`, subject);
  return archiveNameKey(name);
}

/** Hard-link sets from (FILEDEVICES, FILEINODES) of regular non-ghost files, as rpmfilesBuildNLink. */
export function hardlinkSets(files: readonly RpmFile[]): Map<number, number[]> {
  const byKey = new Map<string, number[]>();
  for (const f of files) {
    // inode 0: the header has no FILEINODES (rpmbuild numbers files from 1), so no links
    if ((f.mode & S_IFMT) !== S_IFREG || f.flags & FileFlag.GHOST || f.inode === 0) continue;
    const k = `${f.device}:${f.inode}`;
    const set = byKey.get(k);
    if (set) set.push(f.index);
    else byKey.set(k, [f.index]);
  }
  const out = new Map<number, number[]>();
  for (const set of byKey.values()) if (set.length > 1) for (const i of set) out.set(i, set);
  return out;
}

export interface PayloadOptions {
  files: RpmFile[];
  subject: string;
  codec?: Codec;
  signal?: AbortSignal;
  /** a digest over the compressed payload is verified by the caller (lets xz skip its own check) */
  compressedVerified?: boolean;
  /** sees every uncompressed byte (PAYLOADDIGESTALT) */
  rawTap?: (chunk: Uint8Array) => void;
  /** the uncompressed archive size the headers declare (declaredArchiveSize) */
  archiveSize?: number;
}

/**
 * The cpio archive size rpmbuild recorded: the main header's (covered by its digests) before
 * the signature header's copy. Only ever used as an upper bound, so a lie can only make the
 * package fail.
 */
export function declaredArchiveSize(sig: Header, main: Header): number | undefined {
  return main.number(TAG.LONGARCHIVESIZE) ?? main.number(TAG.ARCHIVESIZE)
    ?? sig.number(SIGTAG.LONGARCHIVESIZE) ?? sig.number(SIGTAG.PAYLOADSIZE);
}

/**
 * A valid archive is no larger than its headers, names and contents, nor (with a margin for
 * rounding) than the size the header declares: the decoders stop as soon as it is passed.
 */
export function payloadLimit(files: readonly RpmFile[], archiveSize: number | undefined): { maxBytes: number; limitOf: string } {
  let fromFiles = 1 << 20;
  for (const f of files) fromFiles += 128 + 2 * f.path.length + f.size + f.linkTo.length;
  const maxBytes = Math.min(fromFiles, outputLimit(archiveSize));
  return { maxBytes, limitOf: maxBytes === fromFiles ? 'what the header\'s files can fill' : `the archive size the header declares, ${archiveSize}, plus margin` };
}

/** Content size of a stripped entry by file index, as rpmfi's iterReadArchiveNext sets it. */
export function strippedSizes(files: readonly RpmFile[], links = hardlinkSets(files)): (i: number) => number | undefined {
  return (i) => {
    const f = files[i];
    if (!f) return undefined;
    if (f.flags & FileFlag.GHOST) return 0;
    const type = f.mode & S_IFMT;
    if (type === S_IFLNK) return f.size;
    if (type !== S_IFREG) return 0;
    const set = links.get(i);
    return set && set[set.length - 1] !== i ? 0 : f.size;
  };
}

export async function* payloadEntries(compressed: AsyncIterable<Uint8Array>, opts: PayloadOptions): AsyncGenerator<PayloadEntry> {
  const { files, subject } = opts;
  const src = new ByteReader(compressed);
  const codec = opts.codec ?? sniffCodec(await src.peek(6));
  const { maxBytes, limitOf } = payloadLimit(files, opts.archiveSize);
  let raw: AsyncIterable<Uint8Array> = decompress(src.rest(), codec, { maxBytes, subject, skipIntegrityCheck: opts.compressedVerified, limitOf });
  if (opts.rawTap) raw = tapChunks(raw, opts.rawTap);
  const rd = new ByteReader(raw);
  const links = hardlinkSets(files);
  const cpio = new CpioReader(rd, strippedSizes(files, links), subject);
  const byKey = new Map<string, number>();
  for (const f of files) {
    const p = headerPathProblem(f.path);
    if (p?.severity === 'unsafe') unsafe(`header file name ${untrusted(f.path)}: ${p.reason}`, subject);
    byKey.set(headerPathKey(f.path), f.index);
  }
  const seen = new Uint8Array(files.length);
  let serial = 0;
  for (;;) {
    if (opts.signal?.aborted) throw new RfsError('RFS_ABORTED', 'reading payload: aborted', { subject });
    const e = await cpio.next();
    if (!e) break;
    let idx: number;
    if (e.stripped) idx = e.index;
    else {
      const key = archiveKey(e.name, subject);
      const found = byKey.get(key);
      if (found === undefined) unsafe(`archive entry ${untrusted(e.name)} is not in the header`, subject);
      idx = found;
    }
    const file = files[idx]!;
    if (file.flags & FileFlag.GHOST) continue; // old rpm sometimes archived ghosts; rpm skips them
    if (seen[idx]) throw new RfsError('RFS_CPIO_MALFORMED', `reading payload: ${untrusted(file.path)} appears twice`, { subject });
    seen[idx] = 1;
    const type = file.mode & S_IFMT;
    const set = links.get(idx) ?? null;
    if (type === S_IFLNK) {
      await cpio.readAll();
      yield { file, hardlinkSet: null, content: empty(), size: 0, linkEscapes: symlinkEscapesRoot(file.path, file.linkTo) };
      continue;
    }
    // only regular files and symlinks have content: any other size would just be skipped over
    if (type !== S_IFREG && e.size !== 0) {
      throw new RfsError('RFS_CPIO_MALFORMED', `reading payload: ${untrusted(file.path)} is not a regular file but has ${e.size} bytes in the archive`, { subject });
    }
    let size = e.size;
    if (type !== S_IFREG) size = 0;
    else if (!e.stripped && e.size !== file.size && !(set && e.size === 0)) {
      throw new RfsError('RFS_CPIO_MALFORMED', `reading payload: ${untrusted(file.path)} has ${e.size} bytes in the archive, ${file.size} in the header`, { subject });
    }
    const my = ++serial;
    const current = (): boolean => my === serial;
    async function* content(): AsyncGenerator<Uint8Array> {
      if (!current()) throw new RfsError('RFS_INTERNAL', 'reading payload: entry content read after the iterator advanced', { subject });
      if (size === 0) return;
      for await (const c of cpio.content()) {
        if (opts.signal?.aborted) throw new RfsError('RFS_ABORTED', 'reading payload: aborted', { subject });
        yield c;
      }
    }
    yield { file, hardlinkSet: set, content: content(), size, linkEscapes: false };
    serial++;
  }
  const missing = files.filter((f) => !seen[f.index] && !(f.flags & FileFlag.GHOST));
  if (missing.length) {
    throw new RfsError('RFS_CPIO_MALFORMED', `reading payload: ${missing.length} file(s) missing from the archive, first ${missing[0]!.path}`, { subject });
  }
  // Drain so that digests over the whole payload see every byte.
  for await (const _ of rd.rest());
}

async function* empty(): AsyncGenerator<Uint8Array> {}
