// Package content that does not fit the memory budget goes to one spool file per package, written
// in big batches, and is read back in tar order when the image is written.
import { closeSync, openSync, readSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { RfsError } from '../errors/index.js';

// Memory held by the download/unpack phase, shared by the --jobs workers. Whatever stays live
// then (and the allocator's fragments around it) is still resident when the rpmdb and the tar
// are written, where the peak is; these smaller budgets measured no slower (bench/RESULTS-big.md).
/** decoded content of small packages (under one spool flush) kept off the disk */
export const CONTENT_BUDGET = 8 << 20;
/** compressed packages decoded straight from their download instead of read back from the cache */
export const DOWNLOAD_BUDGET = 16 << 20;

/** Bytes of package content the whole build may hold in memory; the rest is spooled to disk. */
export class MemoryBudget {
  constructor(private left: number) {}
  take(n: number): boolean {
    if (n > this.left) return false;
    this.left -= n;
    return true;
  }
  give(n: number): void {
    this.left += n;
  }
}

// Decoded chunks wait for a flush in memory, per package being unpacked (UNPACK_SLOTS): 1 MiB
// batches cost no more writes' time than 4 MiB did (bench/RESULTS-big.md); a payload of many
// tiny files is flushed by count, so it cannot pile up small views.
const FLUSH_AT = 1 << 20;
const FLUSH_PIECES = 1024;

/** Collects content in memory; past FLUSH_AT (or the budget) it goes to a file in big writes. */
export class Spool {
  offset = 0;
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private fh: FileHandle | null = null;
  private written = 0;
  constructor(readonly path: string, private readonly budget: MemoryBudget) {}

  async write(chunk: Uint8Array): Promise<void> {
    // decoded chunks belong to the caller (src/decompress never reuses them): no copy
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.offset += chunk.length;
    if (this.pendingBytes >= FLUSH_AT || this.pending.length >= FLUSH_PIECES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    this.fh ??= await open(this.path, 'w');
    await this.fh.writev(this.pending, this.written);
    this.written += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The whole content when it stayed in memory within the budget; otherwise null (all on disk). */
  async finish(): Promise<Uint8Array | null> {
    if (!this.fh && this.budget.take(this.pendingBytes)) {
      const all = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      return all;
    }
    await this.flush();
    return null;
  }

  async close(): Promise<void> {
    await this.fh?.close();
  }
}

const WINDOW = 1 << 20;
const OPEN_FILES = 8;

/**
 * Reads spool slices in tar order. A package's files sit in its spool in payload order, which is
 * nearly the tar's path order, so one read-ahead window per file serves runs of small files with
 * one read (instead of open + read + close each: ~0.3 s per GB of small files). Files stay open
 * (a few, least recently used closed first) until close().
 * With `reuse`, all reads go into one buffer: a chunk is valid only until the next one is asked
 * for (WriteOutputOptions.transientBodies), and reading 1 GB allocates 1 MB, not 1 GB.
 */
export class SpoolReader {
  private readonly fds = new Map<string, number>();
  private window: { file: string; start: number; data: Buffer } | null = null;
  private readonly pending = new Map<string, number>();
  private readonly shared: Buffer | null;

  constructor(opts: { reuse?: boolean } = {}) {
    this.shared = opts.reuse ? Buffer.allocUnsafe(WINDOW) : null;
  }

  /** One more read of `file` will come; after the last expected read the file is deleted. */
  expect(file: string): void {
    this.pending.set(file, (this.pending.get(file) ?? 0) + 1);
  }

  /** `length` bytes at `offset` of `file`, as one or more chunks (fresh buffers unless `reuse`) */
  *read(file: string, offset: number, length: number): Generator<Uint8Array> {
    yield* this.readSlice(file, offset, length);
    const left = this.pending.get(file);
    if (left === undefined) return;
    if (left > 1) {
      this.pending.set(file, left - 1);
      return;
    }
    this.pending.delete(file);
    this.forget(file);
    rmSync(file, { force: true });
  }

  private forget(file: string): void {
    const fd = this.fds.get(file);
    if (fd !== undefined) closeSync(fd);
    this.fds.delete(file);
    if (this.window?.file === file) this.window = null;
  }

  private *readSlice(file: string, offset: number, length: number): Generator<Uint8Array> {
    const w = this.window;
    if (w && w.file === file && offset >= w.start && offset + length <= w.start + w.data.length) {
      yield w.data.subarray(offset - w.start, offset - w.start + length);
      return;
    }
    const fd = this.fd(file);
    if (length <= WINDOW / 4) {
      const data = readAt(fd, offset, WINDOW, this.shared);
      this.window = { file, start: offset, data };
      if (data.length < length) throw shortSpool(file);
      yield data.subarray(0, length);
      return;
    }
    if (this.shared) this.window = null; // its bytes are about to be overwritten
    for (let pos = offset; pos < offset + length; ) {
      const data = readAt(fd, pos, Math.min(WINDOW, offset + length - pos), this.shared);
      if (data.length === 0) throw shortSpool(file);
      pos += data.length;
      yield data;
    }
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.window = null;
  }

  private fd(file: string): number {
    let fd = this.fds.get(file);
    if (fd !== undefined) {
      this.fds.delete(file); // re-insert: most recently used last
    } else {
      fd = openSync(file, 'r');
      if (this.fds.size >= OPEN_FILES) {
        const [oldest, ofd] = this.fds.entries().next().value as [string, number];
        closeSync(ofd);
        this.fds.delete(oldest);
      }
    }
    this.fds.set(file, fd);
    return fd;
  }
}

/** Up to `max` bytes at `pos` (fewer at the end of the file), into `into` when given. */
function readAt(fd: number, pos: number, max: number, into: Buffer | null): Buffer {
  const buf = into ? into.subarray(0, max) : Buffer.allocUnsafe(max);
  let got = 0;
  while (got < max) {
    const n = readSync(fd, buf, got, max - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === max ? buf : buf.subarray(0, got);
}

function shortSpool(file: string): RfsError {
  return new RfsError('RFS_INTERNAL', `reading spooled content: ${file} is shorter than recorded`, { subject: file });
}
