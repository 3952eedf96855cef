// Output stage: the image's tar entries to a tar (optionally compressed), an OCI layout (archive
// or directory), a docker-archive, or a directory; plus lockfile and SBOM writers.
import { RfsError } from '../../errors/index.js';
import type { TarEntry } from '../../tar/index.js';
import { writeDir } from './dir.js';
import { stableBodies } from './streams.js';
import { writeTarOutput } from './tar-output.js';
import type { OutputLayer, OutputResult, WriteOutputOptions } from './types.js';

export type { Compression, ImageConfig, OutputFormat, OutputLayer, OutputResult, WriteOutputOptions } from './types.js';
export { compressionFor } from './compress.js';
export { checkOutputTarget } from './target-check.js';
export { ociArch, ociConfigJson, imageRef } from './image-config.js';
export { sidecarPath } from './dir.js';
export { readLockfile, writeLockfile, lockfileText, normalRequest, LOCKFILE_VERSION } from './lockfile.js';
export { StagedFiles, removeTree } from './atomic.js';
export type { LockedPackage, LockContext, LockedDistro, LockedRepo, LockedRequest, Lockfile } from './lockfile.js';
export { buildSbom, rpmPurl, purlNamespace, sbomText, writeSbom } from './sbom.js';
export type { SbomInput, SbomPackage } from './sbom.js';

/**
 * Write the image in `opts.format`. Atomic: on any failure nothing is left at `opts.path`. Several
 * layers (package-chunked) are for the image formats only; tar and dir are one tree.
 */
export async function writeOutput(source: (() => AsyncIterable<TarEntry>) | OutputLayer[], opts: WriteOutputOptions): Promise<OutputResult> {
  const layered = Array.isArray(source) && source.length > 1;
  if (layered && (opts.format === 'tar' || opts.format === 'dir')) {
    throw new RfsError('RFS_USAGE', `writing output: format "${opts.format}" is one tree and cannot hold layers`, { hint: 'use --format oci, oci-archive or docker-archive with --layers' });
  }
  const layers: OutputLayer[] = Array.isArray(source) ? source : [{ entries: source, comment: '' }];
  if (layers.length === 0) throw new RfsError('RFS_INTERNAL', 'writing output: no layer to write');
  const entries = layers[0]!.entries;
  if (opts.path === '-' && opts.format !== 'tar') {
    throw new RfsError('RFS_USAGE', `writing output: format "${opts.format}" cannot go to stdout`, { hint: 'use --format tar with -o -, or give a path' });
  }
  if (opts.compression !== undefined && opts.compression !== 'none' && opts.format !== 'tar') {
    throw new RfsError('RFS_USAGE', `writing output: compression applies to --format tar only, not "${opts.format}"`);
  }
  try {
    opts.signal?.throwIfAborted();
    // tar copies transient chunks where it must; dir writes each chunk before asking for the next
    const stable = (l: OutputLayer): OutputLayer => (opts.transientBodies ? { ...l, entries: () => stableBodies(l.entries()) } : l);
    // a single layer keeps the image history it always had; over a base, its comment is kept
    const image = layered || opts.base !== undefined ? layers.map(stable) : [{ ...stable(layers[0]!), comment: '' }];
    switch (opts.format) {
      case 'tar':
        return await writeTarOutput(entries(), opts);
      case 'oci-archive':
        return await (await import('./oci.js')).writeOci(image, opts, true);
      case 'oci':
        return await (await import('./oci.js')).writeOci(image, opts, false);
      case 'docker-archive':
        return await (await import('./docker-archive.js')).writeDockerArchive(image, opts);
      case 'dir':
        return await writeDir(entries(), opts);
      default:
        throw new RfsError('RFS_USAGE', `writing output: unknown format "${String(opts.format)}"`);
    }
  } catch (err) {
    if (opts.signal?.aborted) throw new RfsError('RFS_ABORTED', 'writing output: aborted', { subject: opts.path, cause: err });
    if (!(err instanceof RfsError)) {
      throw new RfsError('RFS_OUTPUT', `writing ${opts.format} output: ${err instanceof Error ? err.message : String(err)}`, { subject: opts.path, cause: err });
    }
    // name the output when the failure came from below without a subject (e.g. ENOSPC)
    if (err.subject === undefined && err.code === 'RFS_OUTPUT') {
      throw new RfsError(err.code, err.message, { subject: opts.path, cause: err.cause, ...(err.hint ? { hint: err.hint } : {}) });
    }
    throw err;
  }
}
