// Format "tar": the image as one (optionally compressed) tar, to a file atomically or to stdout.
import { createWriteStream } from 'node:fs';
import { RfsError } from '../../errors/index.js';
import type { TarEntry } from '../../tar/index.js';
import { atomicFile } from './atomic.js';
import { compressStages, compressionFor } from './compress.js';
import { Meter, forwardTo, stableBodies, tarThrough } from './streams.js';
import type { OutputResult, WriteOutputOptions } from './types.js';

export async function writeTarOutput(entries: AsyncIterable<TarEntry>, opts: WriteOutputOptions): Promise<OutputResult> {
  const kind = opts.compression ?? (opts.path === '-' ? 'none' : compressionFor(opts.path));
  if (kind === 'none' && !opts.digest && opts.path !== '-') {
    // a plain tar file: no stage in between, so writeTar can reuse its buffers (it copies every
    // byte, which also lets bodies reuse theirs)
    return atomicFile(opts.path, async (tmp) => {
      const bytes = await tarThrough(entries, [], createWriteStream(tmp, { mode: 0o644, highWaterMark: 4 << 20 }), opts.signal, { recycle: true });
      return { bytes };
    }, opts.signal);
  }
  if (opts.transientBodies) entries = stableBodies(entries);
  const meter = new Meter(opts.digest ?? false);
  const stages = [...(await compressStages(kind)), meter];
  if (opts.path === '-') {
    if (opts.stdout === undefined) {
      throw new RfsError('RFS_USAGE', 'writing output: path "-" needs a stdout stream', { hint: 'pass opts.stdout (the CLI passes process.stdout)' });
    }
    await tarThrough(entries, stages, forwardTo(opts.stdout), opts.signal);
    return { bytes: meter.bytes, ...(opts.digest ? { digest: meter.digest() } : {}) };
  }
  return atomicFile(opts.path, async (tmp) => {
    await tarThrough(entries, stages, createWriteStream(tmp, { mode: 0o644, highWaterMark: 4 << 20 }), opts.signal);
    return { bytes: meter.bytes, ...(opts.digest ? { digest: meter.digest() } : {}) };
  }, opts.signal);
}
