// One streaming decoder per codec. Node 20's zlib only has gzip (and brotli), so the others
// come from npm packages, chosen by measurement (bench/rpm-decoders.mjs: 60 MB mixed cpio
// compressed as rpmbuild does, MB/s of output, wall; see bench/RESULTS-rpm.md):
//   xz:    lzma-native (liblzma 5.2.3 prebuilt inside the npm package), the only candidate that
//          reads rpm's xz at all: rpm writes a SHA-256 check, which xz-decompress (wasm
//          xz-embedded) and @napi-rs/lzma both reject. 18-41 MB/s, 35-47 with the check skipped  [xz -dc 51]
//   zstd:  @cloudpss/zstd napi Transform (libzstd prebuilt inside the package) 389-407
//          > @bokuweb/zstd-wasm 128-219 (whole buffer only, needs the frame content size) > fzstd 42-52  [zstd -dc 265-301]
//   lzma:  lzma-native aloneDecoder 41, the same package as xz  [58]
//   bzip2: unbzip2-stream 6-7 (streams) over seek-bzip 5-13 (whole buffer only)  [10-23]
import { Readable, Transform, pipeline } from 'node:stream';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';
import { RfsError } from '../errors/index.js';
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

export function gunzip(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  return viaTransform(src, zlib.createGunzip({ chunkSize: 1 << 16 }));
}

/** libzstd's streaming decoder as the napi binding exposes it: output comes back synchronously, in fresh buffers */
interface ZstdBinding {
  data(chunk: Uint8Array, out: (b: Uint8Array) => void): void;
  end(out: (b: Uint8Array) => void): void;
}

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
    walker.update(c);
    // the binding keeps no reference to its input: views into a reused buffer are fine
    d.data(c, collect);
    const ready = out;
    out = [];
    yield* ready;
  }
  walker.finish();
  d.end(collect);
  yield* out;
}

interface LzmaNative {
  createStream(kind: 'aloneDecoder' | 'streamDecoder', opts?: { memlimit?: number; flags?: number }): Transform;
}

function lzmaNative(): LzmaNative {
  try {
    return require('lzma-native') as LzmaNative;
  } catch (e) {
    unavailable('lzma-native', e);
  }
}

const LZMA_IGNORE_CHECK = 0x10;

/**
 * ignoreCheck skips the stream's own integrity check (rpm writes SHA-256, which the liblzma
 * 5.2.3 inside lzma-native computes at ~70 MB/s, half the decoding cost) when the caller
 * verifies a digest over the compressed bytes anyway.
 */
export function unxz(src: AsyncIterable<Uint8Array>, ignoreCheck = false): AsyncGenerator<Uint8Array> {
  const flags = ignoreCheck ? LZMA_IGNORE_CHECK : 0;
  return viaTransform(src, lzmaNative().createStream('streamDecoder', { memlimit: 1 << 30, flags }));
}

export function unlzma(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  return viaTransform(src, lzmaNative().createStream('aloneDecoder', { memlimit: 1 << 30 }));
}

type Unbzip2 = () => NodeJS.ReadWriteStream;

export function bunzip2(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  let mod: Unbzip2;
  try {
    mod = require('unbzip2-stream') as Unbzip2;
  } catch (e) {
    unavailable('unbzip2-stream', e);
  }
  return viaClassicStream(src, mod());
}

/** For old-style (through) streams that pipeline() reports as closed early. */
async function* viaClassicStream(src: AsyncIterable<Uint8Array>, t: NodeJS.ReadWriteStream): AsyncGenerator<Uint8Array> {
  const queue: Uint8Array[] = [];
  let ended = false;
  let error: unknown;
  let wake: (() => void) | undefined;
  const signal = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  t.on('data', (c: Uint8Array) => {
    queue.push(c);
    if (queue.length > 16) t.pause();
    signal();
  });
  t.on('end', () => {
    ended = true;
    signal();
  });
  t.on('error', (e: unknown) => {
    error = e;
    signal();
  });
  const it = src[Symbol.asyncIterator]();
  let writing = false;
  const pump = async (): Promise<void> => {
    if (writing) return;
    writing = true;
    try {
      for (;;) {
        if (error !== undefined || queue.length > 16) break;
        const r = await it.next();
        if (r.done) {
          t.end();
          break;
        }
        t.write(r.value);
      }
    } catch (e) {
      error = e;
      signal();
    } finally {
      writing = false;
    }
  };
  try {
    for (;;) {
      if (queue.length) {
        yield queue.shift()!;
        if (queue.length <= 4) t.resume();
        continue;
      }
      if (error !== undefined) throw error;
      if (ended) return;
      const waiting = new Promise<void>((res) => (wake = res));
      void pump();
      await waiting;
    }
  } finally {
    await it.return?.();
  }
}
