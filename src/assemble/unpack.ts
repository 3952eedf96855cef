// Read one downloaded package: header metadata now, regular-file content spooled to one file
// per package, so memory stays bounded whatever the image size.
import { join } from 'node:path';
import { fileList, filePaths, Header } from '../rpm/index.js';
import { openRpm } from '../rpm/package.js';
import { nevraOf } from '../solver/index.js';
import type { PackageMeta, RpmFile } from '../rpm/package.js';
import { Spool } from './spool.js';
import type { MemoryBudget } from './spool.js';
import type { ContentRef } from './tree.js';


export interface UnpackedPackage {
  nevra: string;
  repo: string;
  /** header metadata but the file list: held for the whole build, where records were ~0.5 KB a file */
  meta: Omit<PackageMeta, 'files'>;
  /** the file records, decoded from the header again on each call (merge reads them once) */
  files(): RpmFile[];
  /** the file paths (header order), decoded on each call, for file triggers */
  paths(): string[];
  fileCount: number;
  /** OR of the file colours: rpm's package colour */
  color: number;
  headerBytes: Uint8Array;
  signatureBytes: Uint8Array;
  /** content of regular files by header index; for a hard-link set the data sits on one member */
  contents: Map<number, ContentRef>;
  /** header index -> all members of its hard-link set */
  hardlinkSets: Map<number, number[]>;
  /** uncompressed bytes spooled */
  bytes: number;
}

const PIECE = 1 << 20;

/**
 * Packages decoded at once, whatever --jobs says: each holds a decoder (an xz dictionary or a
 * zstd window, up to tens of MB) and a spool batch, so memory would grow with -j; on the few
 * cores a build has, more parallel decoders are not faster. More jobs still download ahead.
 */
export const UNPACK_SLOTS = 4;

/**
 * The downloaded chunks (~64 KiB, as the socket delivered them) as ~1 MiB pieces: the zstd
 * binding allocates a 128 KiB output buffer per call and returns a partial one at the end of
 * each, so feeding it socket-sized chunks doubled the garbage (and the GC work) of decoding.
 */
async function* toStream(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  let i = 0;
  while (i < chunks.length) {
    let j = i;
    let n = 0;
    while (j < chunks.length && (j === i || n + chunks[j]!.length <= PIECE)) n += chunks[j++]!.length;
    const piece = j - i === 1 ? chunks[i]! : Buffer.concat(chunks.slice(i, j), n);
    chunks.fill(EMPTY, i, j); // let the originals go
    i = j;
    yield piece;
  }
}
const EMPTY = new Uint8Array(0);

/** Let go of the content refs once merged: the tree holds those it kept. */
export function releaseContents(u: UnpackedPackage): void {
  u.contents.clear();
  u.hardlinkSets.clear();
}

/** File records and paths read again from the header bytes (closures that hold only those). */
function headerFiles(headerBytes: Uint8Array, subject: string): Pick<UnpackedPackage, 'files' | 'paths'> {
  const header = (): Header => Header.parse(headerBytes, { namespace: 'main', subject });
  return { files: () => fileList(header()), paths: () => filePaths(header()) };
}

/** `rpm`: the package file, or its bytes (as downloaded chunks) when the download was kept in memory */
export async function unpackPackage(
  rpm: string | Uint8Array[],
  repo: string,
  spoolDir: string,
  seq: number,
  budget: MemoryBudget,
  signal?: AbortSignal,
): Promise<UnpackedPackage> {
  // payload digests are checked while entries() reads (one pass); a mismatch throws before merge.
  // (Not skipped after a fresh sha256 download check: with the payload digest verified, the xz
  // decoder skips its own, slower, check: bench/RESULTS-big.md)
  const pkg = await openRpm(typeof rpm === 'string' ? rpm : toStream(rpm), { verify: true, deferPayloadCheck: true });
  const contents = new Map<number, ContentRef>();
  const hardlinkSets = new Map<number, number[]>();
  const spool = new Spool(join(spoolDir, `${String(seq).padStart(5, '0')}.spool`), budget);
  try {
    for await (const entry of pkg.entries(signal ? { signal } : {})) {
      signal?.throwIfAborted();
      if (entry.hardlinkSet) for (const i of entry.hardlinkSet) hardlinkSets.set(i, entry.hardlinkSet);
      const start = spool.offset;
      for await (const chunk of entry.content) await spool.write(chunk);
      if (spool.offset > start) contents.set(entry.file.index, { kind: 'spool', file: spool.path, offset: start, length: spool.offset - start });
    }
    const kept = await spool.finish();
    // a package small enough for the memory budget never touches the disk
    if (kept) for (const [i, ref] of contents) if (ref.kind === 'spool') contents.set(i, { kind: 'bytes', data: kept.subarray(ref.offset, ref.offset + ref.length) });
  } finally {
    await spool.close();
  }
  const { files, ...meta } = pkg.meta;
  const nevra = nevraOf(meta);
  return {
    nevra,
    repo,
    meta,
    ...headerFiles(pkg.headerBytes, nevra),
    fileCount: files.length,
    color: files.reduce((c, f) => c | f.color, 0),
    headerBytes: pkg.headerBytes,
    signatureBytes: pkg.signatureBytes,
    contents,
    hardlinkSets,
    bytes: spool.offset,
  };
}
