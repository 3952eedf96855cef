// A layer is spooled to tmpDir first: its digest and size go into the manifest, which archive
// readers want before (or beside) the blob, and memory stays bounded whatever the image size.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TarEntry } from '../../tar/index.js';
import { compressStages } from './compress.js';
import { OCI_LAYER, OCI_LAYER_GZIP } from './oci-spec.js';
import { Meter, tarThrough } from './streams.js';

export interface SpooledLayer {
  file: string;
  /** sha256 of the uncompressed tar (rootfs.diff_ids) */
  diffId: string;
  /** sha256 of the blob as stored */
  digest: string;
  size: number;
  mediaType: string;
}

/**
 * Spool the layers one after the other (one stream at a time: memory stays that of one layer),
 * hand them to `use`, and remove the spools afterwards whatever happens.
 */
export async function withSpooledLayers<T>(
  layers: (() => AsyncIterable<TarEntry>)[],
  tmpDir: string,
  compression: 'gzip' | 'none',
  signal: AbortSignal | undefined,
  use: (layers: SpooledLayer[]) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpDir, 'layer-'));
  try {
    const spooled: SpooledLayer[] = [];
    for (const [i, entries] of layers.entries()) {
      const file = join(dir, compression === 'gzip' ? `layer${i}.tar.gz` : `layer${i}.tar`);
      const raw = new Meter();
      const stored = compression === 'gzip' ? new Meter() : raw;
      const stages = compression === 'gzip' ? [raw, ...(await compressStages('gzip')), stored] : [raw];
      await tarThrough(entries(), stages, createWriteStream(file), signal);
      spooled.push({
        file,
        diffId: raw.digest(),
        digest: stored.digest(),
        size: stored.bytes,
        mediaType: compression === 'gzip' ? OCI_LAYER_GZIP : OCI_LAYER,
      });
    }
    return await use(spooled);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
