// Compression of tar outputs, chosen by extension unless given. All encoders are deterministic
// for a given input and library version.
import { Transform } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { constants, createGzip } from 'node:zlib';
import { RfsError } from '../../errors/index.js';
import type { Compression } from './types.js';
import { createXz, createZstd } from './codecs.js';

/** The output names a tar image may have (any case), and the compression each is written with. */
export const TAR_SUFFIXES: readonly (readonly [string, Compression])[] = [
  ['.tar', 'none'], ['.tar.gz', 'gzip'], ['.tgz', 'gzip'], ['.gz', 'gzip'], ['.tar.xz', 'xz'], ['.txz', 'xz'], ['.xz', 'xz'],
  ['.tar.zst', 'zstd'], ['.tzst', 'zstd'], ['.zst', 'zstd'],
];

/** The table's entry `path` ends with, if any. */
export const tarSuffixOf = (path: string): readonly [string, Compression] | undefined =>
  TAR_SUFFIXES.find(([s]) => path.toLowerCase().endsWith(s));

export function compressionFor(path: string): Compression {
  return tarSuffixOf(path)?.[1] ?? 'none';
}

/**
 * zlib writes mtime 0 and no file name already; the OS byte differs by platform (3 on Linux,
 * 19 on macOS since zlib 1.2.12), so it is pinned to 3 for cross-platform identical output.
 */
class PinGzipOs extends Transform {
  private seen = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.seen <= 9 && this.seen + chunk.length > 9) {
      const copy = Buffer.from(chunk);
      copy[9 - this.seen] = 3;
      chunk = copy;
    }
    this.seen += chunk.length;
    cb(null, chunk);
  }
}

/** What a compressor is handed at once: each job on the thread pool stays short. */
export const SLICE = 256 * 1024;

/**
 * Cuts big chunks (a 32 MB file body is one chunk) into SLICE-sized views, no copy. A running
 * compression job cannot be cancelled and the process exit waits for it: one 32 MB xz job held an
 * interrupted build for 30 s. The compressed bytes do not depend on how the input is cut.
 */
export class Slicer extends Transform {
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (chunk.length <= SLICE) return cb(null, chunk);
    for (let at = 0; at < chunk.length; at += SLICE) this.push(chunk.subarray(at, at + SLICE));
    cb();
  }
}

/** Transforms that compress with `kind` ([] for none). */
export async function compressStages(kind: Compression): Promise<Duplex[]> {
  switch (kind) {
    case 'none':
      return [];
    case 'gzip':
      return [new Slicer(), createGzip({ level: 6, strategy: constants.Z_DEFAULT_STRATEGY }), new PinGzipOs()];
    case 'xz':
      return [new Slicer(), await createXz()];
    case 'zstd':
      return [new Slicer(), await createZstd()];
    default:
      throw new RfsError('RFS_USAGE', `writing output: unknown compression "${String(kind)}"`);
  }
}
