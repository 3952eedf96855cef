// Codec sniffing by magic bytes (a header or file extension is only a hint) and streaming
// decompression with an output limit against decompression bombs.
import { RfsError, isRfsError } from '../errors/index.js';
import { ByteReader } from '../util/bytes.js';
import { bunzip2, gunzip, unlzma, unxz, unzstd } from './codecs.js';

export type Codec = 'gzip' | 'bzip2' | 'xz' | 'lzma' | 'zstd' | 'none';

const startsWith = (b: Uint8Array, magic: number[]): boolean => magic.every((m, i) => b[i] === m);

/** The codec of a stream from its first bytes (6 are enough); 'none' for anything unrecognised. */
export function sniffCodec(first: Uint8Array): Codec {
  if (startsWith(first, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(first, [0x42, 0x5a, 0x68])) return 'bzip2'; // BZh
  if (startsWith(first, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(first, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(first, [0x5d, 0x00, 0x00])) return 'lzma';
  return 'none';
}

export interface DecompressOptions {
  /** fail with RFS_SIZE_LIMIT once more than this many bytes come out */
  maxBytes?: number;
  /** named in errors */
  subject?: string;
  /** the caller verifies a digest over the compressed bytes: codecs may skip their own check (xz) */
  skipIntegrityCheck?: boolean;
}

/**
 * Decompress a chunk stream; the codec is sniffed when omitted. Every yielded chunk belongs to
 * the caller: no decoder reuses or overwrites a buffer it has yielded, so chunks (and views of
 * them, like rpm's PayloadEntry content) can be kept without copying.
 */
export async function* decompress(
  src: AsyncIterable<Uint8Array>,
  codec?: Codec,
  opts: DecompressOptions = {},
): AsyncGenerator<Uint8Array> {
  let input: AsyncIterable<Uint8Array> = src;
  let c = codec;
  if (c === undefined) {
    const r = new ByteReader(src);
    c = sniffCodec(await r.peek(6));
    input = r.rest();
  }
  const max = opts.maxBytes ?? Number.POSITIVE_INFINITY;
  let total = 0;
  const stream = decoder(c, input, opts.skipIntegrityCheck ?? false);
  try {
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > max) {
        throw new RfsError('RFS_SIZE_LIMIT', `decompressing ${c}: output exceeds ${max} bytes`, { subject: opts.subject });
      }
      yield chunk;
    }
  } catch (e) {
    if (isRfsError(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new RfsError('RFS_DECOMPRESS', `decompressing ${c}: ${msg}`, { subject: opts.subject, cause: e });
  }
}

function decoder(c: Codec, src: AsyncIterable<Uint8Array>, skipCheck: boolean): AsyncIterable<Uint8Array> {
  switch (c) {
    case 'gzip':
      return gunzip(src);
    case 'bzip2':
      return bunzip2(src);
    case 'xz':
      return unxz(src, skipCheck);
    case 'lzma':
      return unlzma(src);
    case 'zstd':
      return unzstd(src);
    case 'none':
      return src;
  }
}
