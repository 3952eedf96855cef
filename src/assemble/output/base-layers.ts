// A base image's layers (--from) in the outputs: copied as stored into an OCI layout, or as plain
// tars into a docker-archive. Their digests are checked on the way: the base may have changed on
// disk since it was read, and a layer that is not what the manifest says must not be published.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress } from '../../decompress/index.js';
import { RfsError, untrusted } from '../../errors/index.js';
import type { BaseLayer } from '../base/types.js';
import type { LayoutFile } from './archive.js';
import type { SpooledLayer } from './layer.js';
import { OCI_LAYER, SHA256_DIGEST } from './oci-spec.js';
import { Meter } from './streams.js';

function mismatch(l: BaseLayer, what: string, want: string, got: string): RfsError {
  return new RfsError('RFS_CHECKSUM_MISMATCH', `copying base layer ${untrusted(l.digest)}: its ${what} is ${got}, expected ${untrusted(want)}`, {
    subject: l.file, hint: 'the base image changed or was damaged after it was read; read it again (--from)',
  });
}

/** Digests name files in the output: only the form a sha256 digest has. */
function checkForm(l: BaseLayer): void {
  for (const d of [l.digest, l.diffId]) {
    if (!SHA256_DIGEST.test(d)) throw new RfsError('RFS_OUTPUT', `writing base layer ${untrusted(l.digest)}: ${untrusted(d)} is not a sha256 digest`, { subject: l.file });
  }
}

/** The blob's bytes from (file, offset, size); throws after the last chunk when they are not the digest's. */
async function* checkedBlob(l: BaseLayer): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let n = 0;
  if (l.size > 0) {
    for await (const chunk of createReadStream(l.file, { start: l.offset, end: l.offset + l.size - 1, highWaterMark: 1 << 20 })) {
      const c = chunk as Buffer;
      hash.update(c);
      n += c.length;
      yield c;
    }
  }
  if (n !== l.size) throw mismatch(l, 'size', String(l.size), String(n));
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== l.digest) throw mismatch(l, 'digest', l.digest, got);
}

/** The base blobs for an OCI layout, unchanged, under blobs/sha256/. */
export function baseBlobs(layers: BaseLayer[]): LayoutFile[] {
  for (const l of layers) checkForm(l);
  return layers.map((l) => ({ path: `blobs/${l.digest.replace(':', '/')}`, size: l.size, stream: () => checkedBlob(l) }));
}

function codecOf(l: BaseLayer): 'gzip' | 'zstd' | 'none' {
  if (l.mediaType.endsWith('+gzip')) return 'gzip';
  if (l.mediaType.endsWith('+zstd')) return 'zstd';
  if (l.mediaType.endsWith('.tar') || l.mediaType.endsWith('.tar.diff')) return 'none';
  throw new RfsError('RFS_OUTPUT', `writing a docker-archive: base layer ${untrusted(l.digest)} has media type ${untrusted(l.mediaType)}, not a tar`, {
    subject: l.file, hint: 'use --format oci or oci-archive, which carry base layers as stored',
  });
}

/** A base layer as the uncompressed tar docker-archives hold, its digest and diffId both checked. */
async function spoolTar(l: BaseLayer, file: string, signal: AbortSignal | undefined): Promise<SpooledLayer> {
  checkForm(l);
  const codec = codecOf(l);
  let whole = false; // the decoder may stop before the blob's end: the digest check must still run
  const blob = async function* (): AsyncGenerator<Uint8Array> {
    yield* checkedBlob(l);
    whole = true;
  };
  const raw = new Meter();
  const chunks = codec === 'none' ? blob() : decompress(blob(), codec, { subject: l.file });
  const check = async (): Promise<void> => {
    if (!whole) for await (const c of checkedBlob(l)) void c;
  };
  // a blob that fails to decompress is first of all not the blob its digest names
  await pipeline(Readable.from(chunks), raw, createWriteStream(file), signal ? { signal } : {}).catch(async (err: unknown) => {
    if (!signal?.aborted) await check();
    throw err;
  });
  await check();
  if (raw.digest() !== l.diffId) throw mismatch(l, 'uncompressed digest', l.diffId, raw.digest());
  return { file, diffId: l.diffId, digest: l.diffId, size: raw.bytes, mediaType: OCI_LAYER };
}

/** Spool the base layers as tars into a work folder of tmpDir, hand them to `use`, remove them after. */
export async function withBaseTars<T>(layers: BaseLayer[], tmpDir: string, signal: AbortSignal | undefined, use: (tars: SpooledLayer[]) => Promise<T>): Promise<T> {
  if (layers.length === 0) return use([]);
  const dir = await mkdtemp(join(tmpDir, 'base-'));
  try {
    const tars: SpooledLayer[] = [];
    for (const [i, l] of layers.entries()) tars.push(await spoolTar(l, join(dir, `base${i}.tar`), signal));
    return await use(tars);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
