// One streaming decoder per codec. Node 20's zlib only has gzip (and brotli), so the others
// come from npm packages, chosen by measurement (bench/rpm-decoders.mjs: 60 MB mixed cpio
// compressed as rpmbuild does, MB/s of output, wall; see bench/RESULTS-rpm.md):
//   xz:    the host's `xz -dc` (liblzma 5.4 on Debian 12) in a child fed through pipes, for
//          streams that may exceed 1 MiB, when xz >= 5.2 is on PATH (./xzchild.ts; RFS_XZ=native|child
//          forces one). Else lzma-native (liblzma 5.2.3 prebuilt inside the npm package), the only
//          in-process candidate that streams rpm's xz: xz-decompress (wasm xz-embedded) rejects its
//          SHA-256 check; @napi-rs/lzma 1.5.3 (pure Rust) now reads it, but whole buffers only and
//          no faster. Decoding the xz-2 big image's payloads costs 0.98x rpm2cpio's CPU (lzma-native
//          1.29x), the whole build 16-18 % less CPU, byte-identical output; a child costs
//          ~3.5 ms to start, so small streams stay in-process (bench/RESULTS-xz.md). Per-stream children, not a pool: xz cannot mark where one
//          payload's output ends within a long-lived stream.
//   zstd:  @cloudpss/zstd napi Transform (libzstd prebuilt inside the package) 389-407
//          > @bokuweb/zstd-wasm 128-219 (whole buffer only, needs the frame content size) > fzstd 42-52  [zstd -dc 265-301]
//   lzma:  lzma-native aloneDecoder 41, the same package as xz  [58]
//   bzip2: our own (./bzip2.ts), which hands out a block's output on demand; unbzip2-stream
//          (6-7) expanded whole blocks into arrays of numbers, seek-bzip (5-13) whole buffers  [10-23]
// Every decoder produces a bounded amount of output per step (a few MB whatever the input), so
// decompress() can stop a bomb before it allocates: see each codec for how.
import { Readable, pipeline } from 'node:stream';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { RfsError } from '../errors/index.js';
import { Bunzip2 } from './bzip2.js';
import { XzChunkWalker } from './xzchunks.js';
import { ZstdFrameWalker } from './zstdframes.js';

const require = createRequire(import.meta.url);

function unavailable(pkg: string, cause: unknown): never {
  throw new RfsError('RFS_DECOMPRESS', `loading decoder ${pkg}: not available`, {
    cause,
    hint: `reinstall dependencies (npm install) so that ${pkg} is present for this platform`,
  });
}

/** Run src through a Node transform, yielding its output; errors of either side surface here. */
async function* viaTransform(src: AsyncIterable<Uint8Array>, t: NodeJS.ReadWriteStream): AsyncGenerator<Uint8Array> {
  const input = Readable.from(src, { objectMode: false, highWaterMark: 1 << 16 });
  const out = t instanceof Readable ? t : new Readable({ highWaterMark: 1 << 16 }).wrap(t);
  pipeline(input, t, (err) => {
    if (err && !out.destroyed) out.destroy(err);
  });
  try {
    for await (const c of out) yield c as Uint8Array;
  } finally {
    input.destroy();
  }
}

/**
 * Node's zlib stops inflating when its readable side is full (processCallback waits for _read),
 * so the output of one input chunk comes out 64 KiB at a time as it is pulled.
 */
export function gunzip(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  return viaTransform(src, zlib.createGunzip({ chunkSize: 1 << 16 }));
}

/** libzstd's streaming decoder as the napi binding exposes it: output comes back synchronously, in fresh buffers */
interface ZstdBinding {
  data(chunk: Uint8Array, out: (b: Uint8Array) => void): void;
  end(out: (b: Uint8Array) => void): void;
}

/**
 * Most output one synchronous zstd call may produce. The binding decodes a whole input chunk at
 * once (64 KiB of RLE blocks is 2 GiB), so input goes in slices the frame walker cuts; 4 MiB is
 * 32 compressed blocks, far more than normal data gives per 64 KiB chunk, so slicing costs
 * nothing there (bench/RESULTS-bombs.md).
 */
const ZSTD_STEP_OUT = 4 << 20;

let zstdMod: Promise<new () => ZstdBinding> | undefined;
/**
 * Calls the binding directly rather than through its Transform: the stream plumbing around a
 * synchronous decoder (Readable.from -> Transform -> async iteration) cost about as much CPU as
 * the decoding itself and made one more garbage buffer per chunk (bench/big.mjs).
 */
export async function* unzstd(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  zstdMod ??= import('@cloudpss/zstd/napi').then((m: unknown) => {
    const b = (m as { _NapiBindings?: { Decompressor?: unknown } })._NapiBindings;
    if (typeof b?.Decompressor !== 'function') throw new Error('no native Decompressor binding');
    return b.Decompressor as new () => ZstdBinding;
  });
  const Decoder = await zstdMod.catch((e: unknown) => unavailable('@cloudpss/zstd', e));
  const d = new Decoder();
  const walker = new ZstdFrameWalker();
  let out: Uint8Array[] = [];
  const collect = (b: Uint8Array): void => {
    out.push(b);
  };
  for await (const c of src) {
    for (let off = 0; off < c.length; ) {
      const end = walker.take(c, off, ZSTD_STEP_OUT);
      // the binding keeps no reference to its input: views into a reused buffer are fine
      d.data(c.subarray(off, end), collect);
      off = end;
      const ready = out;
      out = [];
      yield* ready;
    }
  }
  walker.finish();
  d.end(collect);
  yield* out;
}

/** lzma-native's binding: code() decodes everything queued, then reports through bufferHandler */
interface LzmaStream {
  streamDecoder_(memlimit: number | null, flags: number): void;
  aloneDecoder_(memlimit: number | null): void;
  code(chunk: Uint8Array | null, async: boolean): void;
  resetUnderlying(): void;
  bufferHandler: (buf: Uint8Array | null | undefined, processed: number | undefined, err: unknown) => void;
}

interface LzmaNative {
  Stream: new () => LzmaStream;
}

function lzmaNative(): LzmaNative {
  try {
    return require('lzma-native') as LzmaNative;
  } catch (e) {
    unavailable('lzma-native', e);
  }
}

const LZMA_CONCATENATED = 0x08;
const LZMA_IGNORE_CHECK = 0x10;
export const LZMA_MEMLIMIT = 1 << 30;
/**
 * Compressed bytes per liblzma call. The binding decodes all it is given before returning, and
 * LZMA's best case is ~7,100:1 (`xz -9e` / `--format=lzma` of zeros: 1 GB -> 141-146 kB), so
 * 2 KiB bounds one call at ~15 MB. CPU to decode a 48 MB payload (xz -6), best of 3, several
 * runs on a loaded machine: 64 KiB slices 1.29-1.45 s, 8 KiB 1.22-1.55, 2 KiB 1.30-1.44,
 * 1 KiB 1.81, 512 B 1.96 (per call: a thread-pool hop and a 64 KiB output vector; a smaller
 * bufsize did not help). So 2 KiB costs nothing measurable; below 1 KiB it does.
 */
const LZMA_SLICE = 2048;
/**
 * .xz needs no such slicing: its LZMA2 chunks declare their unpacked size, so XzChunkWalker cuts
 * the input where the declared output reaches 4 MiB (about 1.3 MB of normal input). The fixed
 * 2 KiB slices cost 10-20% CPU on a real payload (25 us a call in the binding, 8,700 calls);
 * .lzma (LZMA1, no chunks) keeps them, and so does .xz after its first index (rare).
 */
const LZMA_STEP_OUT = 4 << 20;

export const LZMA_ERRORS: Record<string, string> = {
  LZMA_BUF_ERROR: 'unexpected end of input (truncated)',
  LZMA_DATA_ERROR: 'corrupt data',
  LZMA_FORMAT_ERROR: 'not in the expected format (bad header or data after the end of the stream)',
  LZMA_OPTIONS_ERROR: 'unsupported options in the stream header',
  LZMA_MEMLIMIT_ERROR: `the stream needs more than ${LZMA_MEMLIMIT >> 20} MiB of decoder memory`,
  LZMA_MEM_ERROR: 'out of memory',
};

function lzmaError(codec: string, e: unknown): RfsError {
  const name = (e as { name?: unknown }).name;
  const msg = typeof name === 'string' ? LZMA_ERRORS[name] : undefined;
  return new RfsError('RFS_DECOMPRESS', `decompressing ${codec}: ${msg ?? (e instanceof Error ? e.message : String(e))}`, { cause: e });
}

/**
 * Drives liblzma directly (not through lzma-native's Transform, which pushes all output of a
 * chunk regardless of backpressure), one slice at a time on the thread pool, yielding its
 * output between slices.
 */
async function* viaLzma(
  src: AsyncIterable<Uint8Array>,
  codec: 'xz' | 'lzma',
  init: (s: LzmaStream) => void,
  slice: (chunk: Uint8Array, from: number) => number,
): AsyncGenerator<Uint8Array> {
  const s = new (lzmaNative().Stream)();
  init(s);
  let out: Uint8Array[] = [];
  let error: unknown;
  let streamEnd = false;
  let wake: (() => void) | undefined;
  s.bufferHandler = (buf, processed, err) => {
    if (err) error = err;
    else if (buf === null) streamEnd = true;
    else if (buf) out.push(buf);
    if (typeof processed === 'number' || err || buf === null) wake?.();
  };
  // code() must never run after the end or an error: the binding then never calls back
  const step = async (input: Uint8Array | null): Promise<void> => {
    await new Promise<void>((res) => {
      wake = res;
      s.code(input, true);
    });
    wake = undefined;
    if (error !== undefined) throw lzmaError(codec, error);
  };
  const take = (): Uint8Array[] => {
    const ready = out;
    out = [];
    return ready;
  };
  let clean = false;
  try {
    for await (const c of src) {
      for (let off = 0; off < c.length && !streamEnd; ) {
        const end = slice(c, off);
        await step(c.subarray(off, end));
        off = end;
        yield* take();
      }
      // .lzma has no container: like rpm, ignore bytes after its end (still read, for digests)
    }
    if (!streamEnd) await step(null);
    yield* take();
    if (!streamEnd) throw new RfsError('RFS_DECOMPRESS', `decompressing ${codec}: unexpected end of input (truncated)`);
    clean = true;
  } finally {
    if (!clean && error === undefined && !streamEnd) s.resetUnderlying();
  }
}

/**
 * ignoreCheck skips the stream's own integrity check (rpm writes SHA-256, which the liblzma
 * 5.2.3 inside lzma-native computes at ~70 MB/s, half the decoding cost) when the caller
 * verifies a digest over the compressed bytes anyway. Concatenated streams and stream padding
 * are read as xz does.
 */
export function unxz(src: AsyncIterable<Uint8Array>, ignoreCheck = false): AsyncGenerator<Uint8Array> {
  const flags = LZMA_CONCATENATED | (ignoreCheck ? LZMA_IGNORE_CHECK : 0);
  const walker = new XzChunkWalker(LZMA_SLICE);
  return viaLzma(src, 'xz', (s) => s.streamDecoder_(LZMA_MEMLIMIT, flags), (c, off) => walker.take(c, off, LZMA_STEP_OUT));
}

export function unlzma(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  return viaLzma(src, 'lzma', (s) => s.aloneDecoder_(LZMA_MEMLIMIT), (c, off) => Math.min(c.length, off + LZMA_SLICE));
}

/** Most output one bzip2 step produces: its decoder hands out a block's bytes on demand. */
const BZIP2_STEP_OUT = 1 << 20;

export async function* bunzip2(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const d = new Bunzip2();
  for await (const c of src) {
    d.push(c);
    for (let o = d.read(BZIP2_STEP_OUT); o; o = d.read(BZIP2_STEP_OUT)) yield o;
  }
  d.end();
  for (let o = d.read(BZIP2_STEP_OUT); o; o = d.read(BZIP2_STEP_OUT)) yield o;
  d.finish();
}
