// Codec sniffing by magic bytes (a header or file extension is only a hint) and streaming
// decompression with an output limit against decompression bombs.
import { RfsError, isRfsError, untrusted } from '../errors/index.js';
import { ByteReader } from '../util/bytes.js';
import { bunzip2, gunzip, unlzma, unxz, unzstd } from './codecs.js';
import { unxzChild, xzDecoder } from './xzchild.js';

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

/**
 * Output limit when the producer declares nothing: 8 GiB is over twice the largest payload or
 * metadata file of any distribution we read (texlive/kernel-debuginfo payloads ~1-3 GiB; Fedora
 * primary.xml ~200 MB) and still stops a bomb before it fills a disk.
 */
export const HARD_CAP = 8 * 1024 ** 3;

/**
 * The output limit for a stream whose producer declared its decompressed size (repomd
 * open-size, an rpm header's archive size): that size plus a small margin (1/64, at least
 * 64 KiB: cpio trailer and padding, generous rounding) when declared, else `cap`.
 */
export function outputLimit(declared: number | undefined, cap = HARD_CAP): number {
  if (declared === undefined || !Number.isFinite(declared) || declared < 0) return cap;
  return Math.min(cap, declared + Math.max(64 * 1024, Math.ceil(declared / 64)));
}

export interface DecompressOptions {
  /** fail with RFS_SIZE_LIMIT once more than this many bytes come out (default HARD_CAP) */
  maxBytes?: number;
  /** named in errors */
  subject?: string;
  /** the caller verifies a digest over the compressed bytes: codecs may skip their own check (xz) */
  skipIntegrityCheck?: boolean;
  /** where maxBytes comes from, for the message (e.g. "the archive size the header declares, 292, plus margin") */
  limitOf?: string;
}

/**
 * Decompress a chunk stream; the codec is sniffed when omitted. Every yielded chunk belongs to
 * the caller: no decoder reuses or overwrites a buffer it has yielded, so chunks (and views of
 * them, like rpm's PayloadEntry content) can be kept without copying.
 *
 * The limit holds while the data streams: each decoder produces at most a few MB per step
 * (codecs.ts says how), and decoding stops at the first step that passes it, so a bomb costs
 * the limit plus one step of memory, never its expanded size.
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
  const max = opts.maxBytes ?? HARD_CAP;
  let total = 0;
  const stream = decoder(c, input, opts.skipIntegrityCheck ?? false, max);
  try {
    for await (const chunk of stream) {
      total += chunk.length;
      if (total > max) {
        throw new RfsError('RFS_SIZE_LIMIT', `decompressing ${c}: output exceeds ${max} bytes${opts.limitOf ? ` (${opts.limitOf})` : ''}`, {
          subject: opts.subject,
          hint: 'the file expands to more than its declared size: the mirror or package is corrupt or hostile (a decompression bomb)',
        });
      }
      yield chunk;
    }
  } catch (e) {
    if (isRfsError(e)) {
      // decoders know the codec, not the subject
      if (e.code === 'RFS_DECOMPRESS' && e.subject === undefined && opts.subject !== undefined) {
        throw new RfsError(e.code, e.message, { subject: opts.subject, hint: e.hint ?? CORRUPT_HINT, cause: e.cause ?? e });
      }
      throw e;
    }
    const msg = e instanceof Error ? e.message : String(e);
    throw new RfsError('RFS_DECOMPRESS', `decompressing ${c}: ${untrusted(msg, 200)}`, { subject: opts.subject, hint: CORRUPT_HINT, cause: e });
  }
}

const CORRUPT_HINT = 'the compressed data is corrupt or cut short; the mirror may be mid-sync, or the file hostile';

function decoder(c: Codec, src: AsyncIterable<Uint8Array>, skipCheck: boolean, max: number): AsyncIterable<Uint8Array> {
  switch (c) {
    case 'gzip':
      return gunzip(src);
    case 'bzip2':
      return bunzip2(src);
    case 'xz':
      return xzDecoder(max) === 'child' ? unxzChild(src, skipCheck) : unxz(src, skipCheck);
    case 'lzma':
      return unlzma(src);
    case 'zstd':
      return unzstd(src);
    case 'none':
      return src;
  }
}
