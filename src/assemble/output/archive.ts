// Small helpers to lay out image files (JSON documents and spooled blobs) either as a tar or as
// files in a directory, so the OCI and docker writers describe their layout only once.
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TarEntry } from '../../tar/index.js';
import { atomicDir, atomicFile } from './atomic.js';
import { Meter, tarThrough } from './streams.js';

/**
 * One file of an image layout: inline bytes, a spooled file of known size (ours: moved into a
 * layout folder), or a stream of known size (someone else's bytes, e.g. a base layer: copied).
 */
export type LayoutFile =
  | { path: string; bytes: Uint8Array }
  | { path: string; file: string; size: number }
  | { path: string; stream: () => AsyncIterable<Uint8Array>; size: number };

function dirsOf(files: LayoutFile[]): string[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

/** files in the given order, their parent directories first; mtime fixed for reproducibility */
function* layoutEntries(files: LayoutFile[], mtime: number): Generator<TarEntry> {
  const common = { uid: 0, gid: 0, uname: '', gname: '', mtime };
  for (const d of dirsOf(files)) yield { ...common, path: `/${d}`, type: 'dir', mode: 0o755, size: 0 };
  for (const f of files) {
    if ('bytes' in f) yield { ...common, path: `/${f.path}`, type: 'file', mode: 0o644, size: f.bytes.length, body: () => f.bytes };
    else if ('stream' in f) yield { ...common, path: `/${f.path}`, type: 'file', mode: 0o644, size: f.size, body: f.stream };
    else yield { ...common, path: `/${f.path}`, type: 'file', mode: 0o644, size: f.size, body: () => createReadStream(f.file, { highWaterMark: 1 << 20 }) };
  }
}

async function* toAsync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

export async function writeLayoutArchive(path: string, files: LayoutFile[], mtime: number, signal?: AbortSignal): Promise<number> {
  return atomicFile(path, async (tmp) => {
    const meter = new Meter();
    await tarThrough(toAsync(layoutEntries(files, mtime)), [meter], createWriteStream(tmp, { mode: 0o644 }), signal);
    return meter.bytes;
  }, signal);
}

export async function writeLayoutDir(path: string, files: LayoutFile[], signal?: AbortSignal): Promise<number> {
  return atomicDir(path, async (tmp) => {
    let bytes = 0;
    for (const f of files) {
      signal?.throwIfAborted();
      const dest = join(tmp, f.path);
      await mkdir(dirname(dest), { recursive: true });
      if ('bytes' in f) {
        await writeFile(dest, f.bytes, { mode: 0o644 });
        bytes += f.bytes.length;
      } else if ('stream' in f) {
        await pipeline(Readable.from(f.stream()), createWriteStream(dest, { mode: 0o644 }), { signal });
        bytes += f.size;
      } else {
        // the spool is ours and no longer needed: move it when on the same filesystem
        await rename(f.file, dest).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EXDEV') throw err;
          await copyFile(f.file, dest);
        });
        bytes += f.size;
      }
    }
    return bytes;
  }, signal);
}
