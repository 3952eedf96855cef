// xz and zstd encoders from npm, loaded on first use. Chosen by measurement (64 MB tar of
// /usr/lib, level 3 / preset 6, this machine; see bench/RESULTS-output.md):
//   zstd: @cloudpss/zstd Compressor (libzstd via N-API, prebuilt inside the npm package, wasm
//         fallback)      235 ms, output independent of input chunking; @bokuweb/zstd-wasm (whole
//         buffers only) 449 ms; @hpcc-js/wasm-zstd streaming 1533 ms; zstd-napi and
//         @mongodb-js/zstd fetch binaries from GitHub at install (excluded).
//   xz:   lzma-native (liblzma, prebuilt inside the npm package) 35.4 s, same as xz -6 -T1
//         (36.5 s); @napi-rs/lzma needs Node >= 22 and only compresses whole buffers.
// Single-threaded xz on purpose: multi-threaded liblzma splits blocks and changes the bytes.
// xz runs in a child process that an abort can kill (xz-child.ts).
import { createRequire } from 'node:module';
import { Duplex } from 'node:stream';
import { RfsError } from '../../errors/index.js';
import { XzChild } from './xz-child.js';

function unavailable(pkg: string, err: unknown): never {
  throw new RfsError('RFS_OUTPUT', `writing output: cannot load the ${pkg} encoder: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err, hint: 'use .tar or .tar.gz, or reinstall dependencies',
  });
}

function hasFn<K extends string>(v: unknown, key: K): v is Record<K, (...args: never[]) => unknown> {
  return typeof v === 'object' && v !== null && typeof (v as Record<string, unknown>)[key] === 'function';
}

export async function createZstd(level = 3): Promise<Duplex> {
  const mod: unknown = await import('@cloudpss/zstd').catch((e: unknown) => unavailable('@cloudpss/zstd', e));
  const ctor = typeof mod === 'object' && mod !== null ? (mod as Record<string, unknown>).Compressor : undefined;
  if (typeof ctor !== 'function') unavailable('@cloudpss/zstd', new Error('no Compressor export'));
  const stream: unknown = new (ctor as new (level: number) => unknown)(level);
  if (!(stream instanceof Duplex)) unavailable('@cloudpss/zstd', new Error('Compressor is not a stream'));
  return stream;
}

export async function createXz(preset = 6): Promise<Duplex> {
  const mod = await import('lzma-native').catch((e: unknown) => unavailable('lzma-native', e));
  const create: unknown = hasFn(mod, 'createCompressor') ? mod.createCompressor : (mod as { default?: { createCompressor?: unknown } }).default?.createCompressor;
  if (typeof create !== 'function') unavailable('lzma-native', new Error('no createCompressor export'));
  return new XzChild(createRequire(import.meta.url).resolve('lzma-native'), preset);
}
